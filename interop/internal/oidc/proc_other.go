//go:build !unix

package oidc

import "os/exec"

// setProcessGroup does nothing: process groups are a Unix notion here.
func setProcessGroup(*exec.Cmd) {}

// terminate stops the server process.
func terminate(cmd *exec.Cmd) error { return cmd.Process.Kill() }

// kill stops the server process.
func kill(cmd *exec.Cmd) error { return cmd.Process.Kill() }
