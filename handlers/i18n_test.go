package handlers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/templates"
	"golang.org/x/net/html"
)

// messages reads each language's file into id -> message (a string, or a table of plural forms).
func messages(t *testing.T) map[string]map[string]any {
	t.Helper()
	all := map[string]map[string]any{}
	for _, lang := range courses.Languages {
		var m map[string]any
		if _, err := toml.DecodeFS(templates.FS, "locales/"+lang+".toml", &m); err != nil {
			t.Fatal(err)
		}
		all[lang] = m
	}
	return all
}

func TestEveryLanguageHasEveryMessage(t *testing.T) {
	all := messages(t)
	ids := map[string]bool{}
	for _, m := range all {
		for id := range m {
			ids[id] = true
		}
	}
	for id := range ids {
		for lang, m := range all {
			msg, ok := m[id]
			switch v := msg.(type) {
			case nil:
				if !ok {
					t.Errorf("%s.toml lacks %q", lang, id)
				}
			case string:
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s.toml: %q is empty", lang, id)
				}
			case map[string]any:
				if v["one"] == nil || v["other"] == nil {
					t.Errorf("%s.toml: %q needs both one and other", lang, id)
				}
			}
		}
	}
}

var (
	actionPattern = regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tKeyPattern   = regexp.MustCompile(`\bT "([^"]+)"`)
	fieldPattern  = regexp.MustCompile(`\.Field "[^"]*" "[^"]*" "([^"]*)" "([^"]*)"`)
	keyLike       = regexp.MustCompile(`^[a-z]+(\.[a-z0-9_]+)+$`)
)

// usedKeys finds the message ids that templates and Go code name literally.
func usedKeys(t *testing.T, namespaces map[string]bool) map[string]string {
	t.Helper()
	used := map[string]string{}
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		src, err := fs.ReadFile(templates.FS, p)
		if err != nil {
			return err
		}
		for _, m := range tKeyPattern.FindAllStringSubmatch(string(src), -1) {
			used[m[1]] = p
		}
		for _, m := range fieldPattern.FindAllStringSubmatch(string(src), -1) {
			for _, k := range m[1:] {
				if k != "" {
					used[k] = p
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{".", "../courses"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					// File names ("course.yaml") and prefixes ("flash.course_") are not messages.
					isFile := strings.HasSuffix(s, ".yaml") || strings.HasSuffix(s, ".md") || strings.HasSuffix(s, ".toml") || strings.HasSuffix(s, ".ics")
					if keyLike.MatchString(s) && !isFile && !strings.HasSuffix(s, "_") && namespaces[strings.SplitN(s, ".", 2)[0]] {
						used[s] = file
					}
				}
				return true
			})
		}
	}
	// Keys built from a prefix and a value, in templates.
	for _, s := range courses.Sectors {
		used["sector."+string(s)] = "sectors"
	}
	for _, g := range courses.Genders {
		used["gender."+string(g)] = "genders"
	}
	for _, r := range courses.Roles {
		used["role."+string(r)] = "roles"
	}
	for _, l := range courses.Languages {
		used["language."+l] = "languages"
	}
	for _, a := range courses.Audiences {
		used["audience."+string(a)] = "audiences"
	}
	for _, l := range courses.Levels {
		used["level."+string(l)] = "levels"
	}
	for _, m := range courses.CohortModes {
		used["mode."+string(m)] = "modes"
	}
	for _, p := range courses.EnrolmentPolicies {
		used["policy."+string(p)] = "policies"
	}
	for _, e := range courses.EnrolmentStatuses {
		used["enrolment."+string(e)] = "enrolment statuses"
	}
	for _, e := range []courses.EnrolmentStatus{courses.EnrolmentActive, courses.EnrolmentWaiting, courses.EnrolmentPending} {
		used["flash.enrolled_"+string(e)] = "enrol.go"
	}
	for _, e := range []courses.EnrolmentStatus{courses.EnrolmentActive, courses.EnrolmentWaiting, courses.EnrolmentRejected} {
		used["flash.decided_"+string(e)] = "teach_cohorts.go"
	}
	for _, a := range courses.AttendanceStatuses {
		used["attendance."+string(a)] = "attendance statuses"
	}
	for _, f := range []string{"email", "full_name", "country", "institution", "sector", "gender", "language"} {
		used["csv.field."+f] = "teach_cohort.html"
	}
	for _, item := range []string{"module", "lesson"} {
		used["flash.error."+item+"_completed"] = "teach.go deleteItem"
		used["flash."+item+"_deleted"] = "teach.go deleteItem"
	}
	for _, st := range []courses.CertificateStatus{courses.CertificateValid, courses.CertificateRevoked, courses.CertificateExpired, courses.CertificateInvalid} {
		used["admin.certificates.status_"+string(st)] = "admin_certificates.html"
	}
	for _, a := range []courses.CertificateAction{courses.ActionIssue, courses.ActionReissue, courses.ActionRevoke, courses.ActionUnrevoke} {
		used["admin.certificate.action_"+string(a)] = "admin_certificate.html"
	}
	for _, action := range []string{"revoke", "unrevoke", "reissue"} {
		used["admin.certificate."+action] = "admin_certificate.html"
		used["admin.certificate."+action+"_reason"] = "admin_certificate.html"
		used["flash.certificate_"+action+"d"] = "admin_certificate.go"
	}
	for _, a := range courses.AuditActions {
		used[a.Key()] = "admin_audit.html"
	}
	for _, k := range courses.AuditDetailKeys {
		used["audit.detail."+k] = "admin_audit.go"
	}
	for _, st := range []string{"active", "deactivated"} {
		used["admin.users.status_"+st] = "admin_users.html"
	}
	for _, st := range []string{"queued", "running", "done", "failed"} {
		used["admin.batch.status_"+st] = "admin_certificate_batch.html"
	}
	for _, i := range courses.CertificateIssues {
		used["teach.certificate.issue_"+string(i)] = "teach_certificate.html"
	}
	for _, st := range courses.Statuses {
		used["status."+string(st)] = "statuses"
		used["flash.course_"+string(st)] = "teach.go setCourseStatus"
	}
	return used
}

func TestEveryMessageUsedExistsInEveryLanguage(t *testing.T) {
	all := messages(t)
	namespaces := map[string]bool{}
	for id := range all[courses.DefaultLanguage] {
		namespaces[strings.SplitN(id, ".", 2)[0]] = true
	}
	used := usedKeys(t, namespaces)
	if len(used) < 50 {
		t.Fatalf("found only %d message ids in use: the scan is broken", len(used))
	}
	var missing []string
	for id, where := range used {
		for lang, m := range all {
			if _, ok := m[id]; !ok {
				missing = append(missing, lang+": "+id+" (used in "+where+")")
			}
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Error("missing translation", m)
	}
}

// TestTemplatesHaveNoLiteralText fails when a template shows words that are not translated:
// text between tags, or an attribute people read (alt, title, placeholder, aria-label).
func TestTemplatesHaveNoLiteralText(t *testing.T) {
	readable := map[string]bool{"alt": true, "title": true, "placeholder": true, "aria-label": true, "label": true}
	letters := regexp.MustCompile(`\p{L}`)
	err := fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		src, _ := fs.ReadFile(templates.FS, p)
		stripped := actionPattern.ReplaceAllString(string(src), "")
		// The tokenizer reads a noscript's content as raw text; it is markup, checked as such.
		stripped = strings.NewReplacer("<noscript>", "", "</noscript>", "").Replace(stripped)
		z := html.NewTokenizer(strings.NewReader(stripped))
		inCode := 0 // text inside <code> is syntax (Markdown, file names), not words to translate
		for {
			switch z.Next() {
			case html.ErrorToken:
				return nil
			case html.EndTagToken:
				if name, _ := z.TagName(); string(name) == "code" {
					inCode--
				}
			case html.TextToken:
				if txt := strings.TrimSpace(string(z.Text())); letters.MatchString(txt) && inCode == 0 {
					t.Errorf("%s: literal text %q: put it in the translation files", p, txt)
				}
			case html.StartTagToken, html.SelfClosingTagToken:
				name, hasAttr := z.TagName()
				if string(name) == "code" {
					inCode++
				}
				for hasAttr {
					key, val, more := z.TagAttr()
					if readable[string(key)] && letters.MatchString(string(val)) {
						t.Errorf("%s: literal %s=%q: put it in the translation files", p, key, val)
					}
					hasAttr = more
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLiteralTextCheckCatchesUntranslatedWords(t *testing.T) {
	// The check above must be able to fail: run its scanner on a bad template.
	bad := `<p>{{.T "x"}} Hola</p><img alt="Logo">`
	z := html.NewTokenizer(strings.NewReader(actionPattern.ReplaceAllString(bad, "")))
	found := 0
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		if tt == html.TextToken && strings.TrimSpace(string(z.Text())) == "Hola" {
			found++
		}
		if tt == html.StartTagToken || tt == html.SelfClosingTagToken {
			if k, v, _ := z.TagAttr(); string(k) == "alt" && string(v) == "Logo" {
				found++
			}
		}
	}
	if found != 2 {
		t.Fatalf("scanner found %d of 2 literals", found)
	}
}
