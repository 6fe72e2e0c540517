package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/bcrypt"
)

var ctx = context.Background()

func urn(typ, name string) resource.URN {
	return resource.NewURN("test", "dify", "", tokens.Type(typ), name)
}

func props(m map[string]any) resource.PropertyMap { return resource.NewPropertyMapFromMap(m) }

func unknown() resource.PropertyValue { return resource.MakeComputed(resource.NewStringProperty("")) }

func check(t *testing.T, typ string, news resource.PropertyMap) plugin.CheckResponse {
	t.Helper()
	resp, err := (&randomProvider{}).Check(ctx, plugin.CheckRequest{URN: urn(typ, "r"), Name: "r", Type: tokens.Type(typ), News: news})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func checked(t *testing.T, typ string, news map[string]any) resource.PropertyMap {
	t.Helper()
	resp := check(t, typ, props(news))
	if len(resp.Failures) > 0 {
		t.Fatalf("unexpected failures: %v", resp.Failures)
	}
	return resp.Properties
}

func TestCheckPasswordDefaults(t *testing.T) {
	got := checked(t, passwordType, map[string]any{"length": 16})
	want := props(map[string]any{
		"length": 16, "special": true, "upper": true, "lower": true, "numeric": true, "number": true,
		"minLower": 0, "minUpper": 0, "minNumeric": 0, "minSpecial": 0,
	})
	if !got.DeepEquals(want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	// Given values are kept.
	got = checked(t, passwordType, map[string]any{"length": 12, "special": false, "minLower": 2, "overrideSpecial": "-", "keepers": map[string]any{"a": "b"}})
	if got["special"].BoolValue() || got["minLower"].NumberValue() != 2 || got["overrideSpecial"].StringValue() != "-" || !got["keepers"].IsObject() {
		t.Fatalf("given values not kept: %v", got)
	}
	// Bytes have no defaults.
	if got := checked(t, bytesType, map[string]any{"length": 32}); !got.DeepEquals(props(map[string]any{"length": 32})) {
		t.Fatalf("bytes: %v", got)
	}
}

func TestCheckNumberAlias(t *testing.T) {
	if got := checked(t, passwordType, map[string]any{"length": 8, "number": false}); got["numeric"].BoolValue() || got["number"].BoolValue() {
		t.Fatalf("number=false should set numeric=false: %v", got)
	}
	if got := checked(t, passwordType, map[string]any{"length": 8, "numeric": false}); got["number"].BoolValue() {
		t.Fatalf("numeric=false should set number=false: %v", got)
	}
	resp := check(t, passwordType, props(map[string]any{"length": 8, "numeric": false, "number": true}))
	if len(resp.Failures) != 1 || !strings.Contains(resp.Failures[0].Reason, "different values") {
		t.Fatalf("want a conflict failure, got %v", resp.Failures)
	}
}

func TestCheckFailures(t *testing.T) {
	cases := []struct {
		typ    string
		inputs map[string]any
		prop   string
		reason string
	}{
		{passwordType, map[string]any{}, "length", "length is required"},
		{passwordType, map[string]any{"length": 0}, "length", "at least 1"},
		{passwordType, map[string]any{"length": 3.5}, "length", "must be an integer"},
		{passwordType, map[string]any{"length": "16"}, "length", "must be an integer"},
		{passwordType, map[string]any{"length": 16, "special": "yes"}, "special", "must be a boolean"},
		{passwordType, map[string]any{"length": 16, "overrideSpecial": 1}, "overrideSpecial", "must be a string"},
		{passwordType, map[string]any{"length": 16, "keepers": map[string]any{"a": 1}}, "keepers", "must be a map of strings"},
		{passwordType, map[string]any{"length": 16, "lenght": 3}, "lenght", "unknown property"},
		{passwordType, map[string]any{"length": 4, "minUpper": 3, "minLower": 2}, "length", "must be at least minUpper"},
		{passwordType, map[string]any{"length": 4, "minSpecial": -1}, "minSpecial", "must not be negative"},
		{passwordType, map[string]any{"length": 4, "special": false, "upper": false, "lower": false, "numeric": false}, "length", "no characters"},
		{bytesType, map[string]any{"length": 0}, "length", "at least 1"},
		{bytesType, map[string]any{}, "length", "length is required"},
		{bytesType, map[string]any{"length": 8, "special": true}, "special", "unknown property"},
	}
	for _, c := range cases {
		resp := check(t, c.typ, props(c.inputs))
		if len(resp.Failures) != 1 || string(resp.Failures[0].Property) != c.prop || !strings.Contains(resp.Failures[0].Reason, c.reason) {
			t.Errorf("%s %v: got %v, want one failure on %s containing %q", c.typ, c.inputs, resp.Failures, c.prop, c.reason)
		}
	}
	if _, err := (&randomProvider{}).Check(ctx, plugin.CheckRequest{Type: "random:index/randomPet:RandomPet", News: props(map[string]any{})}); err == nil {
		t.Error("an unsupported resource type was accepted")
	}
}

func TestCheckDefersValidationOfUnknowns(t *testing.T) {
	news := props(map[string]any{"minUpper": 50})
	news["length"] = unknown()
	resp := check(t, passwordType, news)
	if len(resp.Failures) != 0 || !resp.Properties["length"].IsComputed() || !resp.Properties["special"].BoolValue() {
		t.Fatalf("got %v, %v", resp.Failures, resp.Properties)
	}
	// Secret inputs are validated by content and stay secret.
	news = props(map[string]any{})
	news["length"] = resource.MakeSecret(resource.NewNumberProperty(0))
	resp = check(t, passwordType, news)
	if len(resp.Failures) != 1 || !strings.Contains(resp.Failures[0].Reason, "at least 1") {
		t.Fatalf("secret length not validated: %v", resp.Failures)
	}
}

func diff(t *testing.T, typ string, olds, news resource.PropertyMap) plugin.DiffResponse {
	t.Helper()
	resp, err := (&randomProvider{}).Diff(ctx, plugin.DiffRequest{URN: urn(typ, "r"), Type: tokens.Type(typ), ID: resourceID, OldInputs: olds, NewInputs: news})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestDiffNoChange(t *testing.T) {
	in := map[string]any{"length": 16, "special": false, "keepers": map[string]any{"a": "b"}}
	olds, news := checked(t, passwordType, in), checked(t, passwordType, in)
	if d := diff(t, passwordType, olds, news); d.Changes != plugin.DiffNone {
		t.Fatalf("identical inputs: %+v", d)
	}
	// A secret with the same content is no change.
	news["length"] = resource.MakeSecret(news["length"])
	if d := diff(t, passwordType, olds, news); d.Changes != plugin.DiffNone {
		t.Fatalf("secret-wrapped same value: %+v", d)
	}
	// Equivalences of the Terraform plan modifiers.
	olds = checked(t, passwordType, map[string]any{"length": 16, "overrideSpecial": ""})
	news = checked(t, passwordType, map[string]any{"length": 16, "keepers": map[string]any{}})
	if d := diff(t, passwordType, olds, news); d.Changes != plugin.DiffNone {
		t.Fatalf(`overrideSpecial "" / empty keepers vs absent: %+v`, d)
	}
}

func TestDiffReplacesOnAnyChange(t *testing.T) {
	base := map[string]any{"length": 16, "keepers": map[string]any{"a": "b"}}
	changes := map[string]any{
		"length": 17, "special": false, "upper": false, "lower": false, "numeric": false,
		"minLower": 1, "minUpper": 1, "minNumeric": 1, "minSpecial": 1, "overrideSpecial": "-",
		"keepers": map[string]any{"a": "c"},
	}
	olds := checked(t, passwordType, base)
	for k, v := range changes {
		in := map[string]any{}
		for bk, bv := range base {
			in[bk] = bv
		}
		in[k] = v
		d := diff(t, passwordType, olds, checked(t, passwordType, in))
		want := []resource.PropertyKey{resource.PropertyKey(k)}
		if k == "numeric" {
			want = []resource.PropertyKey{"number", "numeric"} // the alias follows
		}
		if d.Changes != plugin.DiffSome || !reflect.DeepEqual(d.ReplaceKeys, want) || d.DeleteBeforeReplace {
			t.Errorf("%s changed: got %+v, want replace of %v", k, d, want)
		}
		kind := plugin.DiffUpdateReplace
		if k == "overrideSpecial" {
			kind = plugin.DiffAddReplace
		}
		if d.DetailedDiff[k].Kind != kind || !d.DetailedDiff[k].InputDiff {
			t.Errorf("%s changed: detailed diff %+v", k, d.DetailedDiff)
		}
	}
	// Removing the keepers and an unknown keeper also replace.
	if d := diff(t, passwordType, olds, checked(t, passwordType, map[string]any{"length": 16})); !reflect.DeepEqual(d.ReplaceKeys, []resource.PropertyKey{"keepers"}) || d.DetailedDiff["keepers"].Kind != plugin.DiffDeleteReplace {
		t.Errorf("keepers removed: %+v", d)
	}
	news := checked(t, passwordType, base)
	news["keepers"] = resource.NewObjectProperty(resource.PropertyMap{"a": unknown()})
	if d := diff(t, passwordType, olds, news); !reflect.DeepEqual(d.ReplaceKeys, []resource.PropertyKey{"keepers"}) {
		t.Errorf("unknown keeper: %+v", d)
	}
	// Bytes.
	d := diff(t, bytesType, checked(t, bytesType, map[string]any{"length": 32}), checked(t, bytesType, map[string]any{"length": 16}))
	if !reflect.DeepEqual(d.ReplaceKeys, []resource.PropertyKey{"length"}) {
		t.Errorf("bytes length: %+v", d)
	}
}

// server is the gRPC server the binary runs, so secrets are checked on the wire.
func server(t *testing.T) pulumirpc.ResourceProviderServer {
	t.Helper()
	s := plugin.NewProviderServer(&randomProvider{})
	resp, err := s.Configure(ctx, &pulumirpc.ConfigureRequest{AcceptSecrets: true, AcceptResources: true})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.AcceptSecrets || !resp.SupportsPreview {
		t.Fatalf("configure: %+v", resp)
	}
	return s
}

var wire = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true}

func create(t *testing.T, typ string, inputs resource.PropertyMap, preview bool) (string, resource.PropertyMap) {
	t.Helper()
	in, err := plugin.MarshalProperties(inputs, wire)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server(t).Create(ctx, &pulumirpc.CreateRequest{Urn: string(urn(typ, "r")), Name: "r", Type: typ, Properties: in, Preview: preview})
	if err != nil {
		t.Fatal(err)
	}
	// The secret signature must be on the wire for the engine.
	raw, _ := json.Marshal(resp.Properties.AsMap())
	if !preview && !strings.Contains(string(raw), "1b47061264138c4ac30d75fd1eb44270") {
		t.Errorf("no secret signature in the response: %s", raw)
	}
	outs, err := plugin.UnmarshalProperties(resp.Properties, wire)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Id, outs
}

func secretString(t *testing.T, outs resource.PropertyMap, key string) string {
	t.Helper()
	v := outs[resource.PropertyKey(key)]
	if !v.IsSecret() || !v.SecretValue().Element.IsString() {
		t.Fatalf("%s is not a secret string: %v", key, v)
	}
	return v.SecretValue().Element.StringValue()
}

func TestCreatePassword(t *testing.T) {
	inputs := checked(t, passwordType, map[string]any{"length": 20, "special": false, "minLower": 2, "minUpper": 2, "minNumeric": 2})
	id, outs := create(t, passwordType, inputs, false)
	if id != resourceID {
		t.Errorf("id %q", id)
	}
	pw := secretString(t, outs, "result")
	hash := secretString(t, outs, "bcryptHash")
	if len(pw) != 20 || count(pw, lowerChars) < 2 || count(pw, upperChars) < 2 || count(pw, numericChars) < 2 || count(pw, defaultSpecial) != 0 {
		t.Errorf("password does not meet its inputs: %q", pw)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) != nil {
		t.Error("bcryptHash does not match result")
	}
	for k, v := range inputs {
		if !outs[k].DeepEquals(v) {
			t.Errorf("input %s not in outputs: %v", k, outs[k])
		}
	}
}

func TestCreateBytes(t *testing.T) {
	id, outs := create(t, bytesType, checked(t, bytesType, map[string]any{"length": 32}), false)
	b64, hx := secretString(t, outs, "base64"), secretString(t, outs, "hex")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if id != resourceID || err != nil || len(raw) != 32 || hex.EncodeToString(raw) != hx || outs["length"].NumberValue() != 32 {
		t.Fatalf("id %q, base64 %q, hex %q", id, b64, hx)
	}
}

func TestCreatePreviewIsUnknown(t *testing.T) {
	for typ, keys := range outputKeys {
		news := checked(t, typ, map[string]any{"length": 16})
		news["keepers"] = resource.NewObjectProperty(resource.PropertyMap{"k": unknown()})
		_, outs := create(t, typ, news, true)
		for _, k := range keys {
			if !outs[resource.PropertyKey(k)].IsComputed() {
				t.Errorf("%s: %s should be unknown in preview: %v", typ, k, outs[resource.PropertyKey(k)])
			}
		}
	}
}

func TestReadReturnsStateAsIs(t *testing.T) {
	inputs := checked(t, passwordType, map[string]any{"length": 10})
	_, outs := create(t, passwordType, inputs, false)
	resp, err := (&randomProvider{}).Read(ctx, plugin.ReadRequest{URN: urn(passwordType, "r"), Type: passwordType, ID: resourceID, Inputs: inputs, State: outs})
	if err != nil || resp.ID != resourceID || !resp.Outputs.DeepEquals(outs) || !resp.Inputs.DeepEquals(inputs) {
		t.Fatalf("read changed the state: %v %+v", err, resp)
	}
}

func TestReadImports(t *testing.T) {
	p := &randomProvider{}
	resp, err := p.Read(ctx, plugin.ReadRequest{Type: passwordType, ID: "Imported-Pass1"})
	if err != nil {
		t.Fatal(err)
	}
	if secretString(t, resp.Outputs, "result") != "Imported-Pass1" || resp.Inputs["length"].NumberValue() != 14 || !resp.Inputs["numeric"].BoolValue() {
		t.Fatalf("password import: %+v", resp)
	}
	if bcrypt.CompareHashAndPassword([]byte(secretString(t, resp.Outputs, "bcryptHash")), []byte("Imported-Pass1")) != nil {
		t.Fatal("imported bcryptHash does not match")
	}
	resp, err = p.Read(ctx, plugin.ReadRequest{Type: bytesType, ID: "AAEC/w=="})
	if err != nil || secretString(t, resp.Outputs, "hex") != "000102ff" || resp.Inputs["length"].NumberValue() != 4 {
		t.Fatalf("bytes import: %v %+v", err, resp)
	}
	if _, err := p.Read(ctx, plugin.ReadRequest{Type: bytesType, ID: "not base64!"}); err == nil {
		t.Fatal("bad base64 accepted")
	}
}

func TestUpdateKeepsGeneratedValues(t *testing.T) {
	inputs := checked(t, bytesType, map[string]any{"length": 8})
	_, outs := create(t, bytesType, inputs, false)
	resp, err := (&randomProvider{}).Update(ctx, plugin.UpdateRequest{Type: bytesType, ID: resourceID, OldInputs: inputs, OldOutputs: outs, NewInputs: inputs})
	if err != nil || !resp.Properties.DeepEquals(outs) {
		t.Fatalf("update regenerated or lost values: %v %v", err, resp.Properties)
	}
}

func TestPluginInfoAndSchema(t *testing.T) {
	old := version
	version = "4.21.1"
	defer func() { version = old }()
	p := &randomProvider{}
	info, err := p.GetPluginInfo(ctx)
	if err != nil || info.Version.String() != "4.21.1" {
		t.Fatalf("plugin info: %v %v", info, err)
	}
	resp, err := p.GetSchema(ctx, plugin.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Name, Version string
		Resources     map[string]struct {
			InputProperties map[string]any
			Properties      map[string]struct{ Secret bool }
		}
	}
	if err := json.Unmarshal(resp.Schema, &s); err != nil {
		t.Fatal(err)
	}
	if s.Name != "random" || s.Version != "4.21.1" || len(s.Resources) != 2 {
		t.Fatalf("schema: %+v", s)
	}
	for typ, keys := range outputKeys {
		r := s.Resources[typ]
		for _, k := range keys {
			if !r.Properties[k].Secret {
				t.Errorf("%s.%s is not secret in the schema", typ, k)
			}
		}
		for k := range inputKinds[typ] {
			if _, ok := r.InputProperties[k]; !ok {
				t.Errorf("%s input %s missing from the schema", typ, k)
			}
		}
	}
}
