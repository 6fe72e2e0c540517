package main

import (
	"fmt"
	"math"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

const (
	passwordType = "random:index/randomPassword:RandomPassword"
	bytesType    = "random:index/randomBytes:RandomBytes"
)

type kind int

const (
	kindInt kind = iota
	kindBool
	kindString
	kindStringMap
)

func (k kind) String() string {
	return [...]string{"an integer", "a boolean", "a string", "a map of strings"}[k]
}

// Input properties of each resource and their kinds.
var inputKinds = map[string]map[string]kind{
	passwordType: {
		"length": kindInt, "special": kindBool, "upper": kindBool, "lower": kindBool,
		"numeric": kindBool, "number": kindBool, "minLower": kindInt, "minUpper": kindInt,
		"minNumeric": kindInt, "minSpecial": kindInt, "overrideSpecial": kindString, "keepers": kindStringMap,
	},
	bytesType: {"length": kindInt, "keepers": kindStringMap},
}

// Generated (secret) outputs of each resource.
var outputKeys = map[string][]string{
	passwordType: {"result", "bcryptHash"},
	bytesType:    {"base64", "hex"},
}

// plain unwraps secrets.
func plain(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

// known reports whether v holds a value that is neither null nor unknown (deeply).
func known(v resource.PropertyValue) bool {
	v = plain(v)
	return !v.IsNull() && !v.ContainsUnknowns()
}

func isKind(v resource.PropertyValue, k kind) bool {
	v = plain(v)
	switch k {
	case kindInt:
		return v.IsNumber() && v.NumberValue() == math.Trunc(v.NumberValue()) &&
			math.Abs(v.NumberValue()) < 1<<31
	case kindBool:
		return v.IsBool()
	case kindString:
		return v.IsString()
	case kindStringMap:
		if !v.IsObject() {
			return false
		}
		for _, e := range v.ObjectValue() {
			e = plain(e)
			if !e.IsString() && !e.IsNull() && !e.IsComputed() {
				return false
			}
		}
		return true
	}
	return false
}

func failure(key, format string, args ...any) plugin.CheckFailure {
	return plugin.CheckFailure{Property: resource.PropertyKey(key), Reason: fmt.Sprintf(format, args...)}
}

// checkInputs returns the inputs with the Terraform provider's defaults applied and every
// invalid input. Unknown values (preview) are kept and only validated once known.
func checkInputs(typ string, inputs resource.PropertyMap) (resource.PropertyMap, []plugin.CheckFailure, error) {
	kinds, ok := inputKinds[typ]
	if !ok {
		return nil, nil, fmt.Errorf("resource type %s is not supported by this stand-in random provider "+
			"(it implements RandomPassword and RandomBytes only)", typ)
	}
	news := resource.PropertyMap{}
	var failures []plugin.CheckFailure
	for _, k := range inputs.StableKeys() {
		v := inputs[k]
		if v.IsNull() {
			continue // null is the same as absent
		}
		kd, ok := kinds[string(k)]
		if !ok {
			failures = append(failures, failure(string(k), "unknown property %q of %s", k, typ))
			continue
		}
		if !plain(v).IsComputed() && !isKind(v, kd) {
			failures = append(failures, failure(string(k), "%s must be %s", k, kd))
			continue
		}
		news[k] = v
	}
	if _, ok := news["length"]; !ok && !hasFailure(failures, "length") {
		failures = append(failures, failure("length", "length is required"))
	}
	if len(failures) > 0 {
		return news, failures, nil
	}

	if typ == bytesType {
		if known(news["length"]) && plain(news["length"]).NumberValue() < 1 {
			failures = append(failures, failure("length", "length must be at least 1, got %v", plain(news["length"]).NumberValue()))
		}
		return news, failures, nil
	}

	for _, k := range []resource.PropertyKey{"special", "upper", "lower"} {
		if _, ok := news[k]; !ok {
			news[k] = resource.NewBoolProperty(true)
		}
	}
	for _, k := range []resource.PropertyKey{"minLower", "minUpper", "minNumeric", "minSpecial"} {
		if _, ok := news[k]; !ok {
			news[k] = resource.NewNumberProperty(0)
		}
	}
	// "number" is the deprecated alias of "numeric": both default to true and mirror each other.
	numeric, hasNumeric := news["numeric"]
	number, hasNumber := news["number"]
	switch {
	case hasNumeric && hasNumber:
		if known(numeric) && known(number) && plain(numeric).BoolValue() != plain(number).BoolValue() {
			failures = append(failures, failure("numeric",
				"number and numeric are both set, with different values (number is deprecated: use numeric)"))
		}
	case hasNumeric:
		news["number"] = numeric
	case hasNumber:
		news["numeric"] = number
	default:
		news["numeric"] = resource.NewBoolProperty(true)
		news["number"] = resource.NewBoolProperty(true)
	}
	if len(failures) > 0 || !allKnown(news, "length", "special", "upper", "lower", "numeric",
		"minLower", "minUpper", "minNumeric", "minSpecial", "overrideSpecial") {
		return news, failures, nil
	}
	for _, p := range passwordFrom(news).validate() {
		failures = append(failures, failure(p.Property, "%s", p.Reason))
	}
	return news, failures, nil
}

func hasFailure(failures []plugin.CheckFailure, key string) bool {
	for _, f := range failures {
		if string(f.Property) == key {
			return true
		}
	}
	return false
}

// allKnown reports whether none of keys holds an unknown value (absent keys count as known).
func allKnown(props resource.PropertyMap, keys ...string) bool {
	for _, k := range keys {
		if v, ok := props[resource.PropertyKey(k)]; ok && plain(v).ContainsUnknowns() {
			return false
		}
	}
	return true
}

// passwordFrom reads a spec from checked inputs.
func passwordFrom(props resource.PropertyMap) passwordSpec {
	num := func(k string) int {
		if v := plain(props[resource.PropertyKey(k)]); v.IsNumber() {
			return int(v.NumberValue())
		}
		return 0
	}
	flag := func(k string) bool {
		v := plain(props[resource.PropertyKey(k)])
		return v.IsBool() && v.BoolValue()
	}
	s := passwordSpec{
		Length: num("length"), Special: flag("special"), Upper: flag("upper"), Lower: flag("lower"), Numeric: flag("numeric"),
		MinLower: num("minLower"), MinUpper: num("minUpper"), MinNumeric: num("minNumeric"), MinSpecial: num("minSpecial"),
	}
	if v := plain(props["overrideSpecial"]); v.IsString() {
		s.OverrideSpecial = v.StringValue()
	}
	return s
}

// normalized maps equivalent inputs to one value, as the Terraform plan modifiers do:
// null and absent are equal, overrideSpecial "" equals absent, keepers entries with null
// values are dropped and an empty keepers map equals absent. Secrets compare by content.
func normalized(key resource.PropertyKey, v resource.PropertyValue) resource.PropertyValue {
	v = plain(v)
	switch {
	case key == "overrideSpecial" && v.IsString() && v.StringValue() == "":
		return resource.NewNullProperty()
	case key == "keepers" && v.IsObject():
		m := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			if e = plain(e); !e.IsNull() {
				m[k] = e
			}
		}
		if len(m) == 0 {
			return resource.NewNullProperty()
		}
		return resource.NewObjectProperty(m)
	}
	return v
}

// diffInputs returns the changed input keys (sorted) and their detailed diff; every change
// requires replacement.
func diffInputs(olds, news resource.PropertyMap) ([]resource.PropertyKey, map[string]plugin.PropertyDiff) {
	seen := map[resource.PropertyKey]bool{}
	for k := range olds {
		seen[k] = true
	}
	for k := range news {
		seen[k] = true
	}
	var changed []resource.PropertyKey
	detailed := map[string]plugin.PropertyDiff{}
	for k := range seen {
		if k == "__defaults" {
			continue
		}
		o, n := normalized(k, olds[k]), normalized(k, news[k])
		if o.DeepEquals(n) && !n.ContainsUnknowns() {
			continue
		}
		changed = append(changed, k)
		kd := plugin.DiffUpdateReplace
		if o.IsNull() {
			kd = plugin.DiffAddReplace
		} else if n.IsNull() {
			kd = plugin.DiffDeleteReplace
		}
		detailed[string(k)] = plugin.PropertyDiff{Kind: kd, InputDiff: true}
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i] < changed[j] })
	return changed, detailed
}
