package courses

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// withCertificate is the fixture's course.yaml with a certificate: block before its modules.
func withCertificate(t *testing.T, block string) fstest.MapFS {
	t.Helper()
	fsys := fixtureFS(t)
	yml := string(fsys["course.yaml"].Data)
	i := strings.Index(yml, "\nmodules:")
	if i < 0 {
		t.Fatal("the fixture's course.yaml has no modules")
	}
	fsys["course.yaml"] = &fstest.MapFile{Data: []byte(yml[:i+1] + block + yml[i+1:])}
	return fsys
}

func TestReadBundleReadsTheCertificateBlock(t *testing.T) {
	fsys := withCertificate(t, strings.Join([]string{
		"certificate:",
		"  issue: manual",
		"  valid_months: 24",
		"  signatories:",
		`    - {name: "Coordinación académica", title: "Programa de seguridad ciudadana"}`,
		"    - name: Dirección de la escuela",
		""}, "\n"))
	b, errs := ReadBundle(fsys)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := &CertificateSettings{Issue: IssueManual, ValidMonths: 24, Signatories: []Signatory{
		{Name: "Coordinación académica", Title: "Programa de seguridad ciudadana"}, {Name: "Dirección de la escuela"}}}
	if !reflect.DeepEqual(b.Certificate, want) {
		t.Fatalf("certificate = %+v, want %+v", b.Certificate, want)
	}
	// Written back, it reads the same.
	files, err := WriteBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	again, errs := ReadBundle(mapFS(files))
	if len(errs) > 0 || !reflect.DeepEqual(again.Certificate, want) {
		t.Fatalf("round trip: %+v %v\n%s", again.Certificate, errs, files["course.yaml"])
	}
	// Only what is given: the rest is the default.
	b, errs = ReadBundle(withCertificate(t, "certificate:\n  valid_months: 12\n"))
	if len(errs) > 0 || !reflect.DeepEqual(b.Certificate, &CertificateSettings{Issue: IssueAuto, ValidMonths: 12}) {
		t.Fatalf("partial block: %+v %v", b.Certificate, errs)
	}
}

func TestABundleWithoutACertificateBlockSaysNothingAboutIt(t *testing.T) {
	b, errs := ReadBundle(fixtureFS(t))
	if len(errs) > 0 || b.Certificate != nil {
		t.Fatalf("certificate %+v, errors %v", b.Certificate, errs)
	}
	// The default settings are not written: such a course exports as it was imported.
	b.Certificate = &CertificateSettings{Issue: IssueAuto}
	files, err := WriteBundle(b)
	if err != nil || strings.Contains(string(files["course.yaml"]), "certificate") {
		t.Fatalf("default settings written: %v\n%s", err, files["course.yaml"])
	}
}

func TestReadBundleReportsCertificateProblemsAtTheirLine(t *testing.T) {
	tests := []struct {
		name  string
		block []string
		want  []BundleError
	}{
		{"not a mapping", []string{"certificate: yes"}, []BundleError{
			{Line: 1, Key: "bundle.field_invalid", Args: map[string]any{"Field": "certificate"}}}},
		{"unknown rule and field", []string{"certificate:", "  issue: sometimes", "  colour: gold"}, []BundleError{
			{Line: 2, Key: "bundle.certificate_issue", Args: map[string]any{"Issue": "sometimes"}},
			{Line: 3, Key: "bundle.unknown_field", Args: map[string]any{"Field": "colour"}}}},
		{"months out of range", []string{"certificate:", "  valid_months: 121"}, []BundleError{
			{Line: 2, Key: "bundle.certificate_valid_months", Args: map[string]any{"Max": MaxValidMonths}}}},
		{"months not a number", []string{"certificate:", `  valid_months: "24"`}, []BundleError{
			{Line: 2, Key: "bundle.certificate_valid_months", Args: map[string]any{"Max": MaxValidMonths}}}},
		{"signatories", []string{"certificate:", "  signatories:",
			"    - {title: Directora}",
			"    - {name: " + strings.Repeat("a", MaxSignatoryNameLength+1) + "}",
			"    - {name: Ana, title: " + strings.Repeat("b", MaxSignatoryTitleLength+1) + "}",
			"    - Ana"}, []BundleError{
			{Line: 3, Key: "bundle.certificate_too_many_signatories", Args: map[string]any{"Max": MaxSignatories}},
			{Line: 3, Key: "bundle.signatory_name_required"},
			{Line: 4, Key: "bundle.signatory_name_too_long", Args: map[string]any{"Max": MaxSignatoryNameLength}},
			{Line: 5, Key: "bundle.signatory_title_too_long", Args: map[string]any{"Max": MaxSignatoryTitleLength}},
			{Line: 6, Key: "bundle.field_invalid", Args: map[string]any{"Field": "signatories"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := withCertificate(t, strings.Join(tt.block, "\n")+"\n")
			start := strings.Count(string(fsys["course.yaml"].Data[:strings.Index(string(fsys["course.yaml"].Data), "certificate:")]), "\n")
			_, errs := ReadBundle(fsys)
			for i := range tt.want {
				tt.want[i].File, tt.want[i].Line = courseFile, tt.want[i].Line+start
			}
			if !reflect.DeepEqual(errs, tt.want) {
				t.Fatalf("errors %v\nwant   %v", errs, tt.want)
			}
		})
	}
}
