package courses

import (
	"strconv"
	"strings"
)

// Longest signatory name and title, in characters: the certificate prints each on at most
// two lines under its signature line.
const (
	MaxSignatoryNameLength  = 100
	MaxSignatoryTitleLength = 150
)

// Translation keys of what is wrong with a course's certificate settings.
const (
	KeyCertificateIssue         = "error.certificate.issue"
	KeyCertificateValidMonths   = "error.certificate.valid_months"
	KeySignatoryNameRequired    = "error.certificate.signatory_name_required"
	KeyTooManySignatories       = "error.certificate.too_many_signatories"
	KeySignatoryNameTooLong     = "error.certificate.signatory_name_too_long"
	KeySignatoryTitleTooLong    = "error.certificate.signatory_title_too_long"
	certificateSignatoriesField = "signatories"
)

// CertificateForm is a course's certificate settings as an instructor types them: the rule,
// the validity in whole months (empty: no expiry) and one name and title per row of the
// form, blank rows included.
type CertificateForm struct {
	Issue       string
	ValidMonths string
	Signatories []Signatory
}

// SignatoryField is the key of the value and the error of a signatory row's name or title
// (row from 0): the rows share their fields' names, signatory_name and signatory_title.
func SignatoryField(part string, row int) string {
	return "signatory_" + part + "-" + strconv.Itoa(row)
}

// Values gives the form back as its fields, to show it again with what was typed.
func (f CertificateForm) Values() map[string]string {
	v := map[string]string{"issue": f.Issue, "valid_months": f.ValidMonths}
	for i, s := range f.Signatories {
		v[SignatoryField("name", i)] = s.Name
		v[SignatoryField("title", i)] = s.Title
	}
	return v
}

// Form gives stored settings back as the form that would make them, with a row for every
// signatory the certificate has room for.
func (s CertificateSettings) Form() CertificateForm {
	f := CertificateForm{Issue: string(s.Issue), ValidMonths: strconv.Itoa(s.ValidMonths), Signatories: make([]Signatory, MaxSignatories)}
	copy(f.Signatories, s.Signatories)
	return f
}

// ParseCertificateForm checks a course's certificate settings form. Blank signatory rows are
// left out; a row with a title must have a name. The errors map the fields of
// CertificateForm.Values to translation keys.
func ParseCertificateForm(f CertificateForm) (CertificateSettings, FieldErrors) {
	errs := FieldErrors{}
	s := CertificateSettings{Issue: CertificateIssue(strings.TrimSpace(f.Issue))}
	if !s.Issue.Valid() {
		errs["issue"] = KeyCertificateIssue
	}
	if typed := strings.TrimSpace(f.ValidMonths); typed != "" {
		n, ok := parseBoundedInt(typed, 0, MaxValidMonths)
		if !ok {
			errs["valid_months"] = KeyCertificateValidMonths
		}
		s.ValidMonths = n
	}
	lines := map[string]string{"issue": f.Issue, "valid_months": f.ValidMonths}
	for i, typed := range f.Signatories {
		nameField, titleField := SignatoryField("name", i), SignatoryField("title", i)
		lines[nameField], lines[titleField] = typed.Name, typed.Title
		sg := Signatory{Name: collapseSpaces(typed.Name), Title: collapseSpaces(typed.Title)}
		if sg.Name == "" && sg.Title == "" {
			continue
		}
		if key := signatoryProblem(sg); key != "" {
			field := nameField
			if key == KeySignatoryTitleTooLong {
				field = titleField
			}
			errs[field] = key
		}
		s.Signatories = append(s.Signatories, sg)
	}
	if len(s.Signatories) > MaxSignatories {
		errs[certificateSignatoriesField] = KeyTooManySignatories
	}
	refuseBadCharacters(errs, lines, nil)
	return s, errs
}

// signatoryProblem is the translation key of what is wrong with a signatory whose name and
// title are trimmed, or "". Forms and bundles both go through it.
func signatoryProblem(s Signatory) string {
	switch {
	case s.Name == "":
		return KeySignatoryNameRequired
	case !ValidLine(s.Name) || !ValidLine(s.Title):
		return KeyBadCharacters
	case len([]rune(s.Name)) > MaxSignatoryNameLength:
		return KeySignatoryNameTooLong
	case len([]rune(s.Title)) > MaxSignatoryTitleLength:
		return KeySignatoryTitleTooLong
	}
	return ""
}
