//go:build tools

// Package tools pins the Node.js language host of Pulumi: the last sdk/v3 release that
// still contains it (from v3.69.0 it is its own module, which the module proxy does not serve).
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
