package courses

import (
	"maps"
	"reflect"
	"strings"
	"testing"
)

func TestParseCertificateFormReadsWhatWasTyped(t *testing.T) {
	s, errs := ParseCertificateForm(CertificateForm{Issue: " manual ", ValidMonths: " 24 ", Signatories: []Signatory{
		{Name: "  Coordinación   académica ", Title: "Programa de seguridad ciudadana"}, {}, {Name: "Dirección", Title: ""}}})
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := CertificateSettings{Issue: IssueManual, ValidMonths: 24, Signatories: []Signatory{
		{Name: "Coordinación académica", Title: "Programa de seguridad ciudadana"}, {Name: "Dirección"}}}
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("settings = %+v, want %+v", s, want)
	}
}

func TestParseCertificateFormReportsEachField(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	ok := func() CertificateForm { return CertificateForm{Issue: "auto", ValidMonths: "12"} }
	tests := []struct {
		name   string
		change func(*CertificateForm)
		want   FieldErrors
	}{
		{"unknown rule", func(f *CertificateForm) { f.Issue = "sometimes" }, FieldErrors{"issue": KeyCertificateIssue}},
		{"no rule", func(f *CertificateForm) { f.Issue = "" }, FieldErrors{"issue": KeyCertificateIssue}},
		{"months not a number", func(f *CertificateForm) { f.ValidMonths = "two" }, FieldErrors{"valid_months": KeyCertificateValidMonths}},
		{"months negative", func(f *CertificateForm) { f.ValidMonths = "-1" }, FieldErrors{"valid_months": KeyCertificateValidMonths}},
		{"months over ten years", func(f *CertificateForm) { f.ValidMonths = "121" }, FieldErrors{"valid_months": KeyCertificateValidMonths}},
		{"months with a decimal", func(f *CertificateForm) { f.ValidMonths = "1.5" }, FieldErrors{"valid_months": KeyCertificateValidMonths}},
		{"title without a name", func(f *CertificateForm) { f.Signatories = []Signatory{{}, {Title: "Directora"}} },
			FieldErrors{"signatory_name-1": KeySignatoryNameRequired}},
		{"name too long", func(f *CertificateForm) { f.Signatories = []Signatory{{Name: long(MaxSignatoryNameLength + 1)}} },
			FieldErrors{"signatory_name-0": KeySignatoryNameTooLong}},
		{"title too long", func(f *CertificateForm) {
			f.Signatories = []Signatory{{Name: "Ana", Title: long(MaxSignatoryTitleLength + 1)}}
		}, FieldErrors{"signatory_title-0": KeySignatoryTitleTooLong}},
		{"a line break in a title", func(f *CertificateForm) { f.Signatories = []Signatory{{Name: "Ana", Title: "Directora\nGeneral"}} },
			FieldErrors{"signatory_title-0": KeyBadCharacters}},
		{"a control character in a name", func(f *CertificateForm) { f.Signatories = []Signatory{{Name: "Ana\x00"}} },
			FieldErrors{"signatory_name-0": KeyBadCharacters}},
		{"more signatories than fit", func(f *CertificateForm) {
			f.Signatories = []Signatory{{Name: "A"}, {Name: "B"}, {Name: "C"}, {Name: "D"}}
		}, FieldErrors{"signatories": KeyTooManySignatories}},
	}
	for _, tt := range tests {
		f := ok()
		tt.change(&f)
		if _, errs := ParseCertificateForm(f); !maps.Equal(errs, tt.want) {
			t.Errorf("%s: errors = %v, want %v", tt.name, errs, tt.want)
		}
	}
	edges := CertificateForm{Issue: "none", ValidMonths: "120", Signatories: []Signatory{
		{Name: long(MaxSignatoryNameLength), Title: long(MaxSignatoryTitleLength)}, {Name: "B"}, {Name: "C"}}}
	if _, errs := ParseCertificateForm(edges); len(errs) != 0 {
		t.Errorf("settings at every limit: %v", errs)
	}
	if s, errs := ParseCertificateForm(CertificateForm{Issue: "auto"}); len(errs) != 0 || s.ValidMonths != 0 {
		t.Errorf("no months typed: %+v %v, want no expiry", s, errs)
	}
}

func TestCertificateSettingsFormGivesBackWhatParses(t *testing.T) {
	s := CertificateSettings{Issue: IssueAuto, ValidMonths: 36, Signatories: []Signatory{{Name: "Coordinación académica", Title: "Aula"}}}
	f := s.Form()
	if len(f.Signatories) != MaxSignatories {
		t.Fatalf("%d rows, want one per signature that fits", len(f.Signatories))
	}
	back, errs := ParseCertificateForm(f)
	if len(errs) != 0 || !reflect.DeepEqual(back, s) {
		t.Fatalf("round trip: %+v %v", back, errs)
	}
	if v := f.Values(); v["signatory_name-0"] != "Coordinación académica" || v["valid_months"] != "36" || v["signatory_name-2"] != "" {
		t.Fatalf("values: %v", v)
	}
}
