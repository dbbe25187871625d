package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/aula-school/aula/courses"
)

// giftCommand checks a GIFT question file as an import would, with no database:
//
//	aula gift check [--json] [--lang es] FILE
func giftCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return fmt.Errorf("gift: check FILE: %w", errUsage)
	}
	fs := flag.NewFlagSet("gift check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	asJSON := fs.Bool("json", false, "print the questions as JSON")
	lang := fs.String("lang", courses.DefaultLanguage, "the file's language")
	// Flags may come before or after the file.
	var files []string
	for rest := args[1:]; ; rest = fs.Args()[1:] {
		if err := fs.Parse(rest); err != nil {
			return fmt.Errorf("gift check: %w", err)
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
	}
	if len(files) != 1 {
		return fmt.Errorf("gift check: one FILE: %w", errUsage)
	}
	path := files[0]
	src, err := readAtMost(path, courses.MaxGIFTBytes)
	if err != nil {
		return fmt.Errorf("gift check: %w", err)
	}
	qs, problems := courses.ParseGIFT(src, *lang)
	if len(problems) > 0 {
		for _, p := range problems {
			if p.Line > 0 {
				fmt.Fprintf(stderr, "%s:%d: %s\n", path, p.Line, p.Detail)
			} else {
				fmt.Fprintf(stderr, "%s: %s\n", path, p.Detail)
			}
		}
		return fmt.Errorf("gift check: %d problems in %s", len(problems), path)
	}
	if *asJSON {
		out := make([]giftJSON, len(qs))
		for i, q := range qs {
			out[i] = giftView(q, *lang)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, gq := range qs {
		q := gq.Question
		t, _ := q.Text(*lang, *lang)
		kind := string(q.Type)
		if q.Type == courses.QuestionMultichoice {
			kind += map[bool]string{true: " (one answer)", false: " (several answers)"}[q.Single]
		}
		title := t.Name
		if title == "" {
			title = strconv.Quote(shorten(t.Text, 60))
		}
		fmt.Fprintf(stdout, "%s:%d: %s, %s, %s: %s\n", path, gq.Line, kind,
			plural(float64(len(q.Answers)), "answer"), plural(q.Points, "point"), title)
	}
	return nil
}

// readAtMost reads a file, refusing one larger than max before reading it whole.
func readAtMost(path string, max int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, int64(max)+1))
	if err != nil {
		return nil, err
	}
	if len(data) > max {
		return nil, fmt.Errorf("%s is larger than %d MiB", path, max>>20)
	}
	return data, nil
}

func plural(n float64, word string) string {
	s := strconv.FormatFloat(n, 'f', -1, 64) + " " + word
	if n != 1 {
		s += "s"
	}
	return s
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// giftJSON is a question as `aula gift check --json` prints it, in Moodle's words.
type giftJSON struct {
	Line            int              `json:"line"`
	Type            string           `json:"type"`
	Single          *bool            `json:"single,omitempty"` // multichoice only
	Name            string           `json:"name"`
	Text            string           `json:"text"`
	Format          string           `json:"format"`
	Category        string           `json:"category"`
	Points          float64          `json:"points"`
	IgnoreAccents   bool             `json:"ignore_accents,omitempty"`
	GeneralFeedback string           `json:"general_feedback,omitempty"`
	Answers         []map[string]any `json:"answers"`
}

func giftView(gq courses.GIFTQuestion, lang string) giftJSON {
	q := gq.Question
	t, _ := q.Text(lang, lang)
	v := giftJSON{Line: gq.Line, Type: string(q.Type), Name: t.Name, Text: t.Text, Format: string(t.Format),
		Category: gq.Category, Points: q.Points, IgnoreAccents: q.IgnoreAccents, GeneralFeedback: t.GeneralFeedback,
		Answers: []map[string]any{}}
	if v.Format == "" {
		v.Format = string(courses.FormatMoodle)
	}
	if q.Type == courses.QuestionMultichoice {
		v.Single = &q.Single
	}
	for i, a := range q.Answers {
		var at courses.AnswerText
		if i < len(t.Answers) {
			at = t.Answers[i]
		}
		m := map[string]any{}
		switch q.Type {
		case courses.QuestionMatch:
			m["left"], m["right"] = at.Left, at.Text
			if a.Distractor {
				m["distractor"] = true
			}
		case courses.QuestionNumerical:
			m["fraction"] = a.Weight
			switch {
			case a.AnyNumber():
				m["any"] = true
			case a.Range:
				m["min"], m["max"] = a.Min, a.Max
			default:
				m["value"], m["tolerance"] = a.Value, a.Tolerance
			}
		case courses.QuestionTrueFalse:
			m["text"], m["fraction"] = []string{"true", "false"}[i%2], a.Weight
		default:
			m["text"], m["fraction"] = at.Text, a.Weight
		}
		if at.Feedback != "" {
			m["feedback"] = at.Feedback
		}
		v.Answers = append(v.Answers, m)
	}
	return v
}
