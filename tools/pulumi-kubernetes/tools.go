//go:build tools

// Package tools pins the Kubernetes provider's packages in this module, so `go mod tidy`
// keeps the requirements. scripts/tools.sh builds the provider's main.go (copied from the
// module cache with its generated embed files) against this go.mod/go.sum.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)
