package courses

import (
	"strings"
	"testing"
)

func validProfile() Profile {
	return Profile{
		FullName: "  Ana   María Pérez ", Email: " Ana.Perez@Example.ORG ", Country: "gt",
		Institution: "Policía Nacional Civil", Sector: "police", Gender: "", Language: "es",
	}
}

func TestProfileCleanNormalizes(t *testing.T) {
	p := validProfile().Clean()
	if p.FullName != "Ana María Pérez" || p.Email != "ana.perez@example.org" || p.Country != "GT" {
		t.Fatalf("clean: got %+v", p)
	}
}

func TestProfileValidateReportsEachField(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Profile)
		field  string
		key    string
	}{
		{"name missing", func(p *Profile) { p.FullName = "" }, "full_name", "error.full_name.required"},
		{"email missing", func(p *Profile) { p.Email = "" }, "email", "error.email.required"},
		{"email without domain", func(p *Profile) { p.Email = "ana@" }, "email", "error.email.invalid"},
		{"email without dot", func(p *Profile) { p.Email = "ana@localhost" }, "email", "error.email.invalid"},
		{"email with display name", func(p *Profile) { p.Email = "Ana <ana@example.org>" }, "email", "error.email.invalid"},
		{"country missing", func(p *Profile) { p.Country = "" }, "country", "error.country.required"},
		{"country unknown", func(p *Profile) { p.Country = "XX" }, "country", "error.country.invalid"},
		{"institution missing", func(p *Profile) { p.Institution = " " }, "institution", "error.institution.required"},
		{"sector missing", func(p *Profile) { p.Sector = "" }, "sector", "error.sector.required"},
		{"sector unknown", func(p *Profile) { p.Sector = "army" }, "sector", "error.sector.invalid"},
		{"gender unknown", func(p *Profile) { p.Gender = "x" }, "gender", "error.gender.invalid"},
		{"language unknown", func(p *Profile) { p.Language = "fr" }, "language", "error.language.invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProfile()
			tt.change(&p)
			errs := p.Clean().Validate()
			if errs[tt.field] != tt.key {
				t.Fatalf("errors = %v, want %s=%s", errs, tt.field, tt.key)
			}
			if len(errs) != 1 {
				t.Fatalf("errors = %v, want only %s", errs, tt.field)
			}
		})
	}
}

func TestProfileValidAcceptsOptionalGender(t *testing.T) {
	for _, g := range []string{"", "woman", "man", "another", "undisclosed"} {
		p := validProfile()
		p.Gender = g
		if errs := p.Clean().Validate(); len(errs) != 0 {
			t.Errorf("gender %q: %v", g, errs)
		}
	}
}

func TestValidatePassword(t *testing.T) {
	tests := map[string]string{
		"short":                     "error.password.too_short",
		"exactly12chr":              "",
		"contraseña larga y segura": "",
		strings.Repeat("a", 129):    "error.password.too_long",
		strings.Repeat("ñ", 128):    "",
		"twelve chars\x00nul":       "error.input.bad_characters",
		"not utf-8 at all \xff\xfe": "error.input.bad_characters",
		"a tab\tin the password":    "error.input.bad_characters",
	}
	for pw, want := range tests {
		if got := ValidatePassword(pw); got != want {
			t.Errorf("ValidatePassword(%q) = %q, want %q", pw, got, want)
		}
	}
}

func TestCountriesAreNamedInEachLanguage(t *testing.T) {
	tests := []struct{ lang, code, name string }{
		{"es", "BR", "Brasil"}, {"en", "BR", "Brazil"}, {"pt", "MX", "México"}, {"en", "TT", "Trinidad & Tobago"},
	}
	for _, tt := range tests {
		if got := CountryName(tt.code, tt.lang); got != tt.name {
			t.Errorf("CountryName(%s, %s) = %q, want %q", tt.code, tt.lang, got, tt.name)
		}
	}
	list := Countries("es")
	if len(list) != len(countryCodes) {
		t.Fatalf("Countries: %d, want %d", len(list), len(countryCodes))
	}
	// Spanish order ignores accents: Österreich-like names must not sort last.
	pos := map[string]int{}
	for i, c := range list {
		pos[c.Code] = i
	}
	if !(pos["AT"] < pos["BE"]) { // Austria before Bélgica
		t.Errorf("Austria at %d after Bélgica at %d", pos["AT"], pos["BE"])
	}
	if !ValidCountry("GT") || ValidCountry("ZZ") {
		t.Error("ValidCountry")
	}
}

func TestProfileRefusesControlCharactersBrokenTextAndOverlongValues(t *testing.T) {
	tests := []struct {
		name, field string
		change      func(*Profile)
		want        string
	}{
		{"NUL in the name", "full_name", func(p *Profile) { p.FullName = "Ana\x00Pérez" }, KeyBadCharacters},
		{"invalid UTF-8 in the name", "full_name", func(p *Profile) { p.FullName = "Ana \xc3\x28" }, KeyBadCharacters},
		{"escape in the institution", "institution", func(p *Profile) { p.Institution = "Policía\x1b[31m" }, KeyBadCharacters},
		{"line break in the institution", "institution", func(p *Profile) { p.Institution = "Policía\nNacional" }, KeyBadCharacters},
		{"name of 201 characters", "full_name", func(p *Profile) { p.FullName = strings.Repeat("ñ", MaxNameLength+1) }, "error.full_name.too_long"},
		{"institution of 201 characters", "institution", func(p *Profile) { p.Institution = strings.Repeat("a", MaxInstitutionLength+1) }, "error.institution.too_long"},
		{"email of 255 characters", "email", func(p *Profile) { p.Email = strings.Repeat("a", 243) + "@example.org" }, "error.email.too_long"},
		{"NUL in the email", "email", func(p *Profile) { p.Email = "ana\x00@example.org" }, KeyBadCharacters},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProfile()
			tt.change(&p)
			if got := p.Clean().Validate()[tt.field]; got != tt.want {
				t.Errorf("%s: %q, want %q", tt.field, got, tt.want)
			}
		})
	}
	p := validProfile()
	p.FullName = strings.Repeat("ñ", MaxNameLength)
	if errs := p.Clean().Validate(); len(errs) != 0 {
		t.Errorf("a name of exactly %d characters: %v", MaxNameLength, errs)
	}
}

func TestValidTextAllowsWhatATextareaSendsOnly(t *testing.T) {
	for s, want := range map[string]bool{
		"Policía comunitaria": true, "línea 1\r\nlínea 2\ttab": true, "": true, "emoji 🚓": true,
		"nul\x00": false, "bell\a": false, "del\x7f": false, "c1 \u0085": false, "\xff": false, "\xed\xa0\x80": false,
	} {
		if got := ValidText(s); got != want {
			t.Errorf("ValidText(%q) = %v, want %v", s, got, want)
		}
	}
	if ValidLine("two\nlines") || ValidLine("a\ttab") || !ValidLine("one line") {
		t.Error("ValidLine lets a line break or a tab through, or refuses a line")
	}
}
