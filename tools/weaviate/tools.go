//go:build tools

// Package tools pins the Weaviate server built by scripts/tools.sh (cmd/weaviate-server).
package tools

import _ "github.com/weaviate/weaviate/cmd/weaviate-server"
