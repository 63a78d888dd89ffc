package report

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// readmeTableIntro is the line of README.md the error-code table follows.
const readmeTableIntro = "`error_code` is one of:"

// codeTable renders codes as the README's Markdown table.
func codeTable() string {
	var b strings.Builder
	b.WriteString("| code | meaning |\n|---|---|\n")
	for _, c := range codes {
		b.WriteString("| `" + string(c.code) + "` | " + c.meaning + " |\n")
	}
	return b.String()
}

// readmeCodeTable returns the table that follows readmeTableIntro in the
// project's README.md.
func readmeCodeTable(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "\n"+readmeTableIntro+"\n\n")
	if !ok {
		t.Fatalf("README.md has no line %q followed by a table", readmeTableIntro)
	}
	table, _, _ := strings.Cut(after, "\n\n")
	return table + "\n"
}

// The README's error-code table is the vocabulary, code by code, in order,
// with the meanings listed beside the codes here.
func TestReadmeTableIsTheCodeVocabulary(t *testing.T) {
	if got, want := readmeCodeTable(t), codeTable(); got != want {
		t.Errorf("README.md's error-code table differs from the codes of internal/report; it should read:\n\n%s\ngot:\n\n%s", want, got)
	}
}

// constants returns the string constants of the package in dir whose name
// has prefix and, when typ is not empty, whose declared type is typ.
func constants(t *testing.T, dir, prefix, typ string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, e.Name()), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				if typ != "" {
					if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != typ {
						continue
					}
				}
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, prefix) || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, err := strconv.Unquote(lit.Value)
					if err != nil {
						t.Fatal(err)
					}
					out[name.Name] = v
				}
			}
		}
	}
	return out
}

func listed(v string) bool {
	return slices.ContainsFunc(codes, func(c struct {
		code    Code
		meaning string
	}) bool {
		return string(c.code) == v
	})
}

// Every Code constant is in the list (so in the README), once, with a
// meaning.
func TestEveryCodeIsListedOnce(t *testing.T) {
	consts := constants(t, ".", "", "Code")
	if len(consts) == 0 {
		t.Fatal("no Code constants found")
	}
	for name, v := range consts {
		if !listed(v) {
			t.Errorf("%s (%q) is not in codes", name, v)
		}
	}
	seen := map[Code]bool{}
	for _, c := range codes {
		if seen[c.code] {
			t.Errorf("%q is listed twice", c.code)
		}
		seen[c.code] = true
		if strings.TrimSpace(c.meaning) == "" {
			t.Errorf("%q has no meaning", c.code)
		}
	}
	if len(codes) != len(consts) {
		t.Errorf("%d codes listed, %d Code constants", len(codes), len(consts))
	}
}

// The client classifies UiPath's answers with kinds of its own: each one
// is a code of the vocabulary, so that apply can report it as it is.
func TestEveryClientKindIsACode(t *testing.T) {
	kinds := constants(t, filepath.Join("..", "client"), "Kind", "")
	if len(kinds) == 0 {
		t.Fatal("no Kind constants found in internal/client")
	}
	for name, v := range kinds {
		if !listed(v) {
			t.Errorf("client.%s (%q) is not a report code", name, v)
		}
	}
}
