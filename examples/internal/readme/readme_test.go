package readme

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// root is the repository's root, from this package's directory.
const root = "../../.."

// marker precedes every Go block of the README, naming the compiled file
// that holds the block verbatim.
const marker = "<!-- compiled: "

// Every Go snippet of the README is compiled: each Go block is preceded
// by a marker naming a file of the repository that holds its lines, one
// after another, indented alike. A snippet that drifts from its file, or
// a Go block without a file, fails here.
func TestREADMEGoBlocksAreCompiled(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := goBlocks(string(readme))
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) < 5 {
		t.Fatalf("found %d Go blocks in README.md; the quick start and four more are expected", len(blocks))
	}
	for _, b := range blocks {
		src, err := os.ReadFile(filepath.Join(root, b.file))
		if err != nil {
			t.Errorf("README.md line %d: %v", b.line, err)
			continue
		}
		if !strings.HasSuffix(b.file, ".go") {
			t.Errorf("README.md line %d: %s is not a Go file", b.line, b.file)
		}
		if err := contains(string(src), b.lines); err != nil {
			t.Errorf("README.md line %d: the block is not in %s: %v", b.line, b.file, err)
		}
	}
}

// The matcher itself: a block found in order, indented alike, passes; a
// changed, reordered or unevenly indented one does not.
func TestContains(t *testing.T) {
	src := "func f() {\n\ta := 1\n\n\tb := a\n}\n"
	for _, c := range []struct {
		block string
		ok    bool
	}{
		{"a := 1\n\nb := a", true},
		{"func f() {\n\ta := 1", true},
		{"a := 2\n\nb := a", false},
		{"b := a\na := 1", false},
		{"a := 1\n\n\tb := a", false},
	} {
		err := contains(src, strings.Split(c.block, "\n"))
		if (err == nil) != c.ok {
			t.Errorf("%q: %v", c.block, err)
		}
	}
}

type block struct {
	file  string
	line  int // of the opening fence
	lines []string
}

// goBlocks returns the README's Go blocks with the file each names.
func goBlocks(readme string) ([]block, error) {
	lines := strings.Split(readme, "\n")
	var out []block
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```go" {
			continue
		}
		prev := ""
		for j := i - 1; j >= 0 && prev == ""; j-- {
			prev = strings.TrimSpace(lines[j])
		}
		file, ok := strings.CutPrefix(prev, marker)
		file, ok2 := strings.CutSuffix(file, " -->")
		if !ok || !ok2 {
			return nil, fmt.Errorf("README.md line %d: a Go block without %q before it", i+1, marker+"PATH -->")
		}
		b := block{file: file, line: i + 1}
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			b.lines = append(b.lines, lines[i])
		}
		out = append(out, b)
	}
	return out, nil
}

// contains reports whether src has the lines of block one after another,
// each with the same indentation added, blank lines blank.
func contains(src string, block []string) error {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		indent, ok := strings.CutSuffix(l, block[0])
		if !ok || strings.Trim(indent, "\t") != "" || i+len(block) > len(lines) {
			continue
		}
		match := true
		for j, want := range block {
			got := lines[i+j]
			if want == "" && got == "" || got == indent+want {
				continue
			}
			match = false
			break
		}
		if match {
			return nil
		}
	}
	return fmt.Errorf("no run of lines matches, starting with %q", block[0])
}
