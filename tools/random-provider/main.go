// Command pulumi-resource-random is a stand-in for the official Pulumi random provider, used
// only by this project's offline tests and demo (see README.md). It implements RandomPassword
// and RandomBytes with the official tokens, property names and Terraform semantics.
package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set at build time: -ldflags "-X main.version=4.21.1" (the version the SDK asks for).
var version string

// The Terraform provider's constant resource ID.
const resourceID = "none"

// randomProvider implements plugin.Provider; plugin.NewProviderServer turns it into the gRPC
// ResourceProviderServer (property (un)marshalling, secrets, preview support).
type randomProvider struct {
	plugin.UnimplementedProvider
}

func main() {
	// provider.Main serves gRPC on a free port and prints the port on stdout for the engine.
	err := provider.Main("random", func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return plugin.NewProviderServer(&randomProvider{}), nil
	})
	if err != nil {
		cmdutil.ExitError(err.Error())
	}
}

func pluginVersion() string {
	if version == "" {
		return "0.0.0-dev"
	}
	return version
}

func (p *randomProvider) Pkg() string                              { return "random" }
func (p *randomProvider) Close() error                             { return nil }
func (p *randomProvider) SignalCancellation(context.Context) error { return nil }

func (p *randomProvider) GetPluginInfo(context.Context) (plugin.PluginInfo, error) {
	v, err := semver.ParseTolerant(pluginVersion())
	if err != nil {
		return plugin.PluginInfo{}, fmt.Errorf("bad version %q: %w", pluginVersion(), err)
	}
	return plugin.PluginInfo{Version: &v}, nil
}

func (p *randomProvider) Handshake(context.Context, plugin.ProviderHandshakeRequest) (*plugin.ProviderHandshakeResponse, error) {
	return &plugin.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true, AcceptOutputs: true}, nil
}

func (p *randomProvider) GetSchema(context.Context, plugin.GetSchemaRequest) (plugin.GetSchemaResponse, error) {
	s, err := schemaJSON()
	return plugin.GetSchemaResponse{Schema: s}, err
}

// The provider has no configuration: any is accepted.
func (p *randomProvider) CheckConfig(_ context.Context, req plugin.CheckConfigRequest) (plugin.CheckConfigResponse, error) {
	return plugin.CheckConfigResponse{Properties: req.News}, nil
}

func (p *randomProvider) DiffConfig(context.Context, plugin.DiffConfigRequest) (plugin.DiffConfigResponse, error) {
	return plugin.DiffResult{Changes: plugin.DiffNone}, nil
}

// Configure: the server wrapper reports acceptSecrets and supportsPreview to the engine.
func (p *randomProvider) Configure(context.Context, plugin.ConfigureRequest) (plugin.ConfigureResponse, error) {
	return plugin.ConfigureResponse{}, nil
}

func (p *randomProvider) Check(_ context.Context, req plugin.CheckRequest) (plugin.CheckResponse, error) {
	news, failures, err := checkInputs(req.Type.String(), req.News)
	if err != nil {
		return plugin.CheckResponse{}, err
	}
	return plugin.CheckResponse{Properties: news, Failures: failures}, nil
}

// Diff: every input change forces replacement, as in the Terraform random provider.
func (p *randomProvider) Diff(_ context.Context, req plugin.DiffRequest) (plugin.DiffResponse, error) {
	changed, detailed := diffInputs(req.OldInputs, req.NewInputs)
	if len(changed) == 0 {
		return plugin.DiffResult{Changes: plugin.DiffNone}, nil
	}
	return plugin.DiffResult{
		Changes: plugin.DiffSome, ReplaceKeys: changed, ChangedKeys: changed, DetailedDiff: detailed,
	}, nil
}

// Create generates the values once; they stay in state until the resource is replaced.
func (p *randomProvider) Create(_ context.Context, req plugin.CreateRequest) (plugin.CreateResponse, error) {
	typ := req.Type.String()
	keys, ok := outputKeys[typ]
	if !ok {
		return plugin.CreateResponse{}, fmt.Errorf("unsupported resource type %s", typ)
	}
	outs := req.Properties.Copy()
	if req.Preview {
		for _, k := range keys {
			outs[resource.PropertyKey(k)] = resource.MakeComputed(resource.NewStringProperty(""))
		}
		return plugin.CreateResponse{Properties: outs}, nil
	}
	if req.Properties.ContainsUnknowns() {
		return plugin.CreateResponse{}, fmt.Errorf("cannot create %s with unknown inputs", req.URN)
	}
	values, err := generate(typ, req.Properties)
	if err != nil {
		return plugin.CreateResponse{}, err
	}
	for k, v := range values {
		outs[resource.PropertyKey(k)] = resource.MakeSecret(resource.NewStringProperty(v))
	}
	return plugin.CreateResponse{ID: resourceID, Properties: outs, Status: resource.StatusOK}, nil
}

// Read returns the recorded state (random values never drift). Without state (import), it
// rebuilds the state from the ID as the Terraform provider does: the password itself for
// RandomPassword, the base64 bytes for RandomBytes.
func (p *randomProvider) Read(_ context.Context, req plugin.ReadRequest) (plugin.ReadResponse, error) {
	if len(req.State) > 0 {
		return plugin.ReadResponse{
			ReadResult: plugin.ReadResult{ID: req.ID, Inputs: req.Inputs, Outputs: req.State},
			Status:     resource.StatusOK,
		}, nil
	}
	inputs, outs, err := importState(req.Type.String(), string(req.ID))
	if err != nil {
		return plugin.ReadResponse{}, err
	}
	return plugin.ReadResponse{
		ReadResult: plugin.ReadResult{ID: resourceID, Inputs: inputs, Outputs: outs},
		Status:     resource.StatusOK,
	}, nil
}

// Update is only reached without replacement, i.e. never in practice; it keeps the generated values.
func (p *randomProvider) Update(_ context.Context, req plugin.UpdateRequest) (plugin.UpdateResponse, error) {
	outs := req.NewInputs.Copy()
	for _, k := range outputKeys[req.Type.String()] {
		if v, ok := req.OldOutputs[resource.PropertyKey(k)]; ok {
			outs[resource.PropertyKey(k)] = v
		}
	}
	return plugin.UpdateResponse{Properties: outs, Status: resource.StatusOK}, nil
}

// Delete has nothing to clean up.
func (p *randomProvider) Delete(context.Context, plugin.DeleteRequest) (plugin.DeleteResponse, error) {
	return plugin.DeleteResponse{Status: resource.StatusOK}, nil
}

// generate returns the plain generated outputs of a resource from its (known) inputs.
func generate(typ string, props resource.PropertyMap) (map[string]string, error) {
	switch typ {
	case passwordType:
		pw, err := generatePassword(passwordFrom(props))
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
	return nil, fmt.Errorf("unsupported resource type %s", typ)
}

// importState builds inputs and outputs from an import ID.
func importState(typ, id string) (inputs, outs resource.PropertyMap, err error) {
	if id == "" {
		return nil, nil, fmt.Errorf("importing %s needs an ID", typ)
	}
	secret := func(s string) resource.PropertyValue { return resource.MakeSecret(resource.NewStringProperty(s)) }
	switch typ {
	case passwordType:
		inputs = resource.PropertyMap{"length": resource.NewNumberProperty(float64(len(id)))}
		for _, k := range []resource.PropertyKey{"special", "upper", "lower", "numeric", "number"} {
			inputs[k] = resource.NewBoolProperty(true)
		}
		for _, k := range []resource.PropertyKey{"minLower", "minUpper", "minNumeric", "minSpecial"} {
			inputs[k] = resource.NewNumberProperty(0)
		}
		hash, err := bcryptHash(id)
		if err != nil {
			return nil, nil, err
		}
		outs = inputs.Copy()
		outs["result"], outs["bcryptHash"] = secret(id), secret(hash)
		return inputs, outs, nil
	case bytesType:
		raw, err := base64.StdEncoding.DecodeString(id)
		if err != nil {
			return nil, nil, fmt.Errorf("importing RandomBytes: the ID must be the bytes in standard base64: %w", err)
		}
		if len(raw) == 0 {
			return nil, nil, fmt.Errorf("importing RandomBytes: the ID holds no bytes")
		}
		inputs = resource.PropertyMap{"length": resource.NewNumberProperty(float64(len(raw)))}
		outs = inputs.Copy()
		outs["base64"], outs["hex"] = secret(id), secret(hex.EncodeToString(raw))
		return inputs, outs, nil
	}
	return nil, nil, fmt.Errorf("unsupported resource type %s", typ)
}
