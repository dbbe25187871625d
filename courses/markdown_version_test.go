package courses

import (
	"os"
	"regexp"
	"testing"
)

// Stored lesson HTML is as safe as the renderer and sanitiser that made it: when either
// module changes version, MarkdownPolicyVersion must be raised, so that every lesson is
// rendered again by the new one. This test holds the pair the current version was set for;
// it fails on an upgrade until both are updated together.
func TestMarkdownPolicyVersionFollowsTheRendererAndSanitiser(t *testing.T) {
	const policy = 1
	want := map[string]string{"github.com/yuin/goldmark": "v1.8.7", "github.com/microcosm-cc/bluemonday": "v1.0.27"}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for path, version := range want {
		m := regexp.MustCompile(regexp.QuoteMeta(path) + ` (v\S+)`).FindSubmatch(mod)
		if m == nil || string(m[1]) != version || MarkdownPolicyVersion != policy {
			t.Errorf("%s is %s in go.mod and MarkdownPolicyVersion is %d: raise MarkdownPolicyVersion, then update this test", path, m, MarkdownPolicyVersion)
		}
	}
}
