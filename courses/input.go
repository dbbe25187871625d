package courses

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Longest values the school's forms take, in characters (runes). Forms in every area use
// these, so that one kind of value has one maximum everywhere.
const (
	MaxEmailLength       = 254 // RFC 5321's limit on a forward path
	MaxNameLength        = 200 // a person's full name
	MaxInstitutionLength = 200
	MaxSearchLength      = 100 // a search box: a name or part of an address
)

// MaxURLValueBytes bounds one path segment or query value. Aula's own links hold ids,
// slugs, codes and a "next" path: far less.
const MaxURLValueBytes = 2048

// Translation keys of what is wrong with the characters of a value.
const (
	KeyBadCharacters = "error.input.bad_characters"
	KeyTooLong       = "error.input.too_long"
)

// ValidText reports whether s is text people type: valid UTF-8, with no NUL and no other
// control character but the tab, line feed and carriage return a textarea sends. PostgreSQL
// refuses invalid UTF-8 and NUL; the other controls are invisible and break CSV, logs and
// terminals.
func ValidText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// ValidLine is ValidText for one line: a name, an address, a title, a URL value.
func ValidLine(s string) bool {
	return ValidText(s) && !strings.ContainsAny(s, "\t\n\r")
}

// CheckLine returns the translation key of what is wrong with a one-line value of at most
// max characters, or "".
func CheckLine(s string, max int) string {
	switch {
	case !ValidLine(s):
		return KeyBadCharacters
	case utf8.RuneCountInString(s) > max:
		return KeyTooLong
	}
	return ""
}

// refuseBadCharacters marks every field whose value is not text (lines must also be one
// line) with KeyBadCharacters, over any other error of that field: a form's parser calls it
// last, on the values as typed, before trimming hides a control character at an end.
func refuseBadCharacters(errs FieldErrors, lines, texts map[string]string) {
	for field, v := range lines {
		if !ValidLine(v) {
			errs[field] = KeyBadCharacters
		}
	}
	for field, v := range texts {
		if !ValidText(v) {
			errs[field] = KeyBadCharacters
		}
	}
}

// CleanText is s with what ValidText refuses taken out: invalid UTF-8 and control
// characters other than tab and line breaks. It is for text that must be kept as well as it
// can be, such as a trainee's answer pasted from a word processor.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
			return -1
		}
		return r
	}, s)
}
