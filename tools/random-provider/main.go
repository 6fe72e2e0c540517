// Command pulumi-resource-random is a stand-in for the official Pulumi random provider,
// used only by this project's offline tests and demo (see README.md). It implements
// RandomPassword and RandomBytes with the official tokens and property names.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set with -ldflags "-X main.version=..." to the version the SDK asks for.
var version = "0.0.0"

const (
	passwordType = "random:index/randomPassword:RandomPassword"
	bytesType    = "random:index/randomBytes:RandomBytes"
)

type randomProvider struct {
	plugin.UnimplementedProvider
}

func main() {
	err := provider.Main("random", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return plugin.NewProviderServer(&randomProvider{}), nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}

func (p *randomProvider) Close() error                             { return nil }
func (p *randomProvider) SignalCancellation(context.Context) error { return nil }
func (p *randomProvider) Pkg() string                              { return "random" }
func (p *randomProvider) GetPluginInfo(context.Context) (plugin.PluginInfo, error) {
	v, err := semver.ParseTolerant(version)
	if err != nil {
		return plugin.PluginInfo{}, err
	}
	return plugin.PluginInfo{Version: &v}, nil
}

func (p *randomProvider) GetSchema(context.Context, plugin.GetSchemaRequest) (plugin.GetSchemaResponse, error) {
	return plugin.GetSchemaResponse{Schema: []byte(schemaJSON())}, nil
}

func (p *randomProvider) CheckConfig(_ context.Context, req plugin.CheckConfigRequest) (plugin.CheckConfigResponse, error) {
	return plugin.CheckConfigResponse{Properties: req.News}, nil
}

func (p *randomProvider) DiffConfig(context.Context, plugin.DiffConfigRequest) (plugin.DiffConfigResponse, error) {
	return plugin.DiffResult{Changes: plugin.DiffNone}, nil
}

func (p *randomProvider) Configure(context.Context, plugin.ConfigureRequest) (plugin.ConfigureResponse, error) {
	return plugin.ConfigureResponse{}, nil
}

// Check applies the Terraform provider's defaults and reports every invalid input.
func (p *randomProvider) Check(_ context.Context, req plugin.CheckRequest) (plugin.CheckResponse, error) {
	news := req.News.Copy()
	var failures []plugin.CheckFailure
	fail := func(key, reason string) {
		failures = append(failures, plugin.CheckFailure{Property: resource.PropertyKey(key), Reason: reason})
	}
	if !news.HasValue("length") && !news["length"].IsComputed() {
		fail("length", "length is required")
	}
	switch req.Type {
	case passwordType:
		// "number" is the deprecated alias of "numeric".
		if _, ok := news["numeric"]; !ok {
			if v, ok := news["number"]; ok {
				news["numeric"] = v
			}
		}
		for _, key := range []string{"special", "upper", "lower", "numeric"} {
			if _, ok := news[resource.PropertyKey(key)]; !ok {
				news[resource.PropertyKey(key)] = resource.NewBoolProperty(true)
			}
		}
		news["number"] = news["numeric"]
		for _, key := range []string{"minLower", "minUpper", "minNumeric", "minSpecial"} {
			if _, ok := news[resource.PropertyKey(key)]; !ok {
				news[resource.PropertyKey(key)] = resource.NewNumberProperty(0)
			}
		}
		if news.ContainsUnknowns() {
			break
		}
		for _, msg := range passwordFrom(news).validate() {
			fail("length", msg)
		}
	case bytesType:
		if !news.ContainsUnknowns() && news.HasValue("length") && plain(news["length"]).NumberValue() < 1 {
			fail("length", "length must be at least 1")
		}
	default:
		return plugin.CheckResponse{}, fmt.Errorf("unknown resource type %s (this stand-in supports RandomPassword and RandomBytes)", req.Type)
	}
	return plugin.CheckResponse{Properties: news, Failures: failures}, nil
}

// Diff: every input forces replacement, as in the Terraform random provider.
func (p *randomProvider) Diff(_ context.Context, req plugin.DiffRequest) (plugin.DiffResponse, error) {
	changed := changedKeys(req.OldInputs, req.NewInputs)
	if len(changed) == 0 {
		return plugin.DiffResult{Changes: plugin.DiffNone}, nil
	}
	return plugin.DiffResult{Changes: plugin.DiffSome, ReplaceKeys: changed, ChangedKeys: changed, DeleteBeforeReplace: false}, nil
}

func (p *randomProvider) Create(_ context.Context, req plugin.CreateRequest) (plugin.CreateResponse, error) {
	outs := req.Properties.Copy()
	keys := outputKeys(req.Type)
	if req.Preview {
		for _, k := range keys {
			outs[resource.PropertyKey(k)] = resource.MakeComputed(resource.NewStringProperty(""))
		}
		return plugin.CreateResponse{Properties: outs}, nil
	}
	values, err := generate(req.Type, req.Properties)
	if err != nil {
		return plugin.CreateResponse{}, err
	}
	for k, v := range values {
		outs[resource.PropertyKey(k)] = resource.MakeSecret(resource.NewStringProperty(v))
	}
	id, err := newID()
	if err != nil {
		return plugin.CreateResponse{}, err
	}
	return plugin.CreateResponse{ID: resource.ID(id), Properties: outs, Status: resource.StatusOK}, nil
}

// Read returns the recorded state: random values never change outside Pulumi.
func (p *randomProvider) Read(_ context.Context, req plugin.ReadRequest) (plugin.ReadResponse, error) {
	return plugin.ReadResponse{
		ReadResult: plugin.ReadResult{ID: req.ID, Inputs: req.Inputs, Outputs: req.State},
		Status:     resource.StatusOK,
	}, nil
}

// Update only happens when Diff found nothing to replace; generated values are kept.
func (p *randomProvider) Update(_ context.Context, req plugin.UpdateRequest) (plugin.UpdateResponse, error) {
	outs := req.NewInputs.Copy()
	for _, k := range outputKeys(req.Type) {
		outs[resource.PropertyKey(k)] = req.OldOutputs[resource.PropertyKey(k)]
	}
	return plugin.UpdateResponse{Properties: outs, Status: resource.StatusOK}, nil
}

func (p *randomProvider) Delete(context.Context, plugin.DeleteRequest) (plugin.DeleteResponse, error) {
	return plugin.DeleteResponse{Status: resource.StatusOK}, nil
}

func outputKeys(t interface{ String() string }) []string {
	if t.String() == passwordType {
		return []string{"result", "bcryptHash"}
	}
	return []string{"base64", "hex"}
}

func generate(t interface{ String() string }, props resource.PropertyMap) (map[string]string, error) {
	switch t.String() {
	case passwordType:
		spec := passwordFrom(props)
		if problems := spec.validate(); len(problems) > 0 {
			return nil, fmt.Errorf("invalid RandomPassword: %v", problems)
		}
		pw, err := generatePassword(spec)
		if err != nil {
			return nil, err
		}
		hash, err := bcryptHash(pw)
		if err != nil {
			return nil, err
		}
		return map[string]string{"result": pw, "bcryptHash": hash}, nil
	case bytesType:
		b64, hx, err := generateBytes(int(plain(props["length"]).NumberValue()))
		if err != nil {
			return nil, err
		}
		return map[string]string{"base64": b64, "hex": hx}, nil
	}
	return nil, fmt.Errorf("unknown resource type %s", t.String())
}

// plain unwraps a secret.
func plain(v resource.PropertyValue) resource.PropertyValue {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	return v
}

func passwordFrom(props resource.PropertyMap) passwordSpec {
	num := func(k string) int {
		v := plain(props[resource.PropertyKey(k)])
		if v.IsNumber() {
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
		s.OverrideSpecial, s.HasOverride = v.StringValue(), true
	}
	return s
}

// changedKeys lists the input keys whose values differ, secrets compared by content.
func changedKeys(olds, news resource.PropertyMap) []resource.PropertyKey {
	seen := map[resource.PropertyKey]bool{}
	for k := range olds {
		seen[k] = true
	}
	for k := range news {
		seen[k] = true
	}
	var out []resource.PropertyKey
	for k := range seen {
		if k == "__defaults" {
			continue
		}
		if !plain(olds[k]).DeepEquals(plain(news[k])) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func newID() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func schemaJSON() string {
	return fmt.Sprintf(`{
  "name": "random",
  "version": %q,
  "description": "Stand-in for the Pulumi random provider (offline tests of dify-nkp).",
  "resources": {
    %q: {
      "inputProperties": {
        "length": {"type": "integer"}, "special": {"type": "boolean"}, "upper": {"type": "boolean"},
        "lower": {"type": "boolean"}, "numeric": {"type": "boolean"}, "number": {"type": "boolean"},
        "minLower": {"type": "integer"}, "minUpper": {"type": "integer"}, "minNumeric": {"type": "integer"},
        "minSpecial": {"type": "integer"}, "overrideSpecial": {"type": "string"},
        "keepers": {"type": "object", "additionalProperties": {"type": "string"}}
      },
      "requiredInputs": ["length"],
      "properties": {
        "length": {"type": "integer"}, "result": {"type": "string", "secret": true},
        "bcryptHash": {"type": "string", "secret": true}
      },
      "required": ["length", "result", "bcryptHash"]
    },
    %q: {
      "inputProperties": {
        "length": {"type": "integer"},
        "keepers": {"type": "object", "additionalProperties": {"type": "string"}}
      },
      "requiredInputs": ["length"],
      "properties": {
        "length": {"type": "integer"}, "base64": {"type": "string", "secret": true},
        "hex": {"type": "string", "secret": true}
      },
      "required": ["length", "base64", "hex"]
    }
  }
}`, version, passwordType, bytesType)
}
