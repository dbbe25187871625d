package handlers

import (
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/templates"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// translations holds every user-facing string of Aula in es, en and pt.
type translations struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	matcher    language.Matcher
	countries  map[string][]courses.Country // named and sorted once, at start-up: sorting is costly
	plain      sync.Map                     // lang+"\x00"+id → a message without data, localised once
}

func loadTranslations() (*translations, error) {
	b := i18n.NewBundle(language.Spanish)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	tags := make([]language.Tag, 0, len(courses.Languages))
	t := &translations{bundle: b, localizers: map[string]*i18n.Localizer{}, countries: map[string][]courses.Country{}}
	for _, lang := range courses.Languages {
		name := path.Join("locales", lang+".toml")
		data, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			return nil, fmt.Errorf("handlers: translations: %w", err)
		}
		if _, err := b.ParseMessageFileBytes(data, name); err != nil {
			return nil, fmt.Errorf("handlers: translations %s: %w", name, err)
		}
		tags = append(tags, language.Make(lang))
		// No fallback to another language: a missing key shows as the key, and a test catches it.
		t.localizers[lang] = i18n.NewLocalizer(b, lang)
		t.countries[lang] = courses.Countries(lang)
	}
	t.matcher = language.NewMatcher(tags)
	return t, nil
}

// translate returns the message id in lang, filled with data (pairs of name, value).
// A message with a "Count" is pluralised by it.
func (t *translations) translate(lang, id string, data ...any) string {
	loc := t.localizers[lang]
	if loc == nil {
		loc = t.localizers[courses.DefaultLanguage]
	}
	// A page asks for dozens of messages, each the same every time without data; go-i18n would
	// match the language and look the message up on every call (a tenth of a page's rendering).
	key := lang + "\x00" + id
	if len(data) == 0 {
		if s, ok := t.plain.Load(key); ok {
			return s.(string)
		}
	}
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		m := make(map[string]any, len(data)/2)
		for i := 0; i+1 < len(data); i += 2 {
			m[fmt.Sprint(data[i])] = data[i+1]
		}
		cfg.TemplateData = m
		if n, ok := m["Count"]; ok {
			cfg.PluralCount = n
		}
	}
	s, err := loc.Localize(cfg)
	if err != nil {
		return id
	}
	if len(data) == 0 {
		t.plain.Store(key, s)
	}
	return s
}

// fromAcceptLanguage picks the best of Aula's languages for the browser's header, or "".
func (t *translations) fromAcceptLanguage(r *http.Request) string {
	header := r.Header.Get("Accept-Language")
	if header == "" {
		return ""
	}
	prefs, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(prefs) == 0 {
		return ""
	}
	_, idx, conf := t.matcher.Match(prefs...)
	if conf == language.No {
		return ""
	}
	return courses.Languages[idx]
}
