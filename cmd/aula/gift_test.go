package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const moodleExamples = "../../courses/testdata/gift/moodle-examples.gift"

func writeGIFT(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "bank.gift")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestGiftCheckListsEveryQuestionWithoutConfiguration(t *testing.T) {
	var out, errOut bytes.Buffer
	// A configuration that would stop every other command: gift check never reads it.
	env := envWith(map[string]string{"DATABASE_URL": "mysql://x", "AULA_ADDR": "8080"})
	if err := run(context.Background(), []string{"gift", "check", "--lang", "en", moodleExamples}, env, nil, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 43 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	for i, want := range map[int]string{
		0:  moodleExamples + `:8: multichoice (one answer), 3 answers, 1 point: "Who's buried in Grant's tomb?"`,
		20: moodleExamples + ":90: shortanswer, 1 answer, 1 point: Kanji Origins",
	} {
		if lines[i] != want {
			t.Errorf("line %d: %q, want %q", i+1, lines[i], want)
		}
	}
}

func TestGiftCheckPrintsJSONInMoodlesWords(t *testing.T) {
	path := writeGIFT(t, "$CATEGORY: patrulla\n\n// aula: points=2\n::Quién::¿Quién patrulla?{~Nadie =La policía#Sí}\n\n"+
		"Elija dos.{~%50%a ~%50%b ~c}\n\nPi{#3.14:0.01 =%50%3..4 ~#No}\n\nUna con otra.{=a -> 1 =b -> 2 = -> 3}\n\nVerdad.{F}\n\nEscriba.{}\n\nLea esto.")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"gift", "check", path, "--json"}, envWith(nil), nil, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	var qs []map[string]any
	if err := json.Unmarshal(out.Bytes(), &qs); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if len(qs) != 7 {
		t.Fatalf("%d questions", len(qs))
	}
	types := []string{}
	for _, q := range qs {
		types = append(types, q["type"].(string))
	}
	if got := strings.Join(types, " "); got != "multichoice multichoice numerical match truefalse essay description" {
		t.Errorf("types: %s", got)
	}
	first := qs[0]
	if first["single"] != true || first["name"] != "Quién" || first["category"] != "patrulla" || first["points"] != 2.0 || first["line"] != 4.0 {
		t.Errorf("first question: %v", first)
	}
	if a := first["answers"].([]any)[1].(map[string]any); a["text"] != "La policía" || a["fraction"] != 1.0 || a["feedback"] != "Sí" {
		t.Errorf("right answer: %v", a)
	}
	if qs[1]["single"] != false || qs[4]["single"] != nil {
		t.Errorf("single: %v, %v", qs[1]["single"], qs[4]["single"])
	}
	numbers := qs[2]["answers"].([]any)
	if a := numbers[0].(map[string]any); a["value"] != 3.14 || a["tolerance"] != 0.01 {
		t.Errorf("value: %v", a)
	}
	if a := numbers[1].(map[string]any); a["min"] != 3.0 || a["max"] != 4.0 || a["fraction"] != 0.5 {
		t.Errorf("range: %v", a)
	}
	if a := numbers[2].(map[string]any); a["any"] != true || a["feedback"] != "No" {
		t.Errorf("any other number: %v", a)
	}
	if a := qs[3]["answers"].([]any)[2].(map[string]any); a["left"] != "" || a["right"] != "3" || a["distractor"] != true {
		t.Errorf("distractor: %v", a)
	}
	if a := qs[4]["answers"].([]any); a[0].(map[string]any)["text"] != "true" || a[1].(map[string]any)["fraction"] != 1.0 {
		t.Errorf("false: %v", a)
	}
	if qs[6]["points"] != 0.0 {
		t.Errorf("description points: %v", qs[6]["points"])
	}
}

func TestGiftCheckPrintsEveryProblemWithItsLineAndFails(t *testing.T) {
	path := writeGIFT(t, "Good.{T}\n\nBad.{\n~a\n~%150%b\n=c}\n\nAlso bad.{#x}\n")
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"gift", "check", path}, envWith(nil), nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "2 problems") {
		t.Fatalf("error %v", err)
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], path+":5: ") || !strings.HasPrefix(lines[1], path+":8: ") {
		t.Errorf("problems:\n%s", errOut.String())
	}
	for _, args := range [][]string{
		{"gift"}, {"gift", "lint", path}, {"gift", "check"}, {"gift", "check", path, path},
		{"gift", "check", "--lang", "fr", path}, {"gift", "check", filepath.Join(t.TempDir(), "missing.gift")},
	} {
		if err := run(context.Background(), args, envWith(nil), nil, &out, &errOut); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
}
