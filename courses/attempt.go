package courses

import (
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"
)

// Errors of starting an attempt. They wrap ErrForbidden, so a handler that knows no better
// answers 403; one that does names the reason (not open yet, already closed).
var (
	ErrQuizNotOpenYet = fmt.Errorf("the quiz is not open yet: %w", ErrForbidden)
	ErrQuizClosed     = fmt.Errorf("the quiz is closed: %w", ErrForbidden)
)

// ErrTooFewQuestions is a random item asking for more questions than its category has left
// once the quiz's other questions are set aside: the quiz must be fixed by its author.
var ErrTooFewQuestions = fmt.Errorf("a category has too few questions: %w", ErrInvalid)

// Deadline is when an attempt started at start must be finished: start plus the quiz's time
// limit, but never after the quiz closes. It is zero for an untimed quiz that never closes.
func Deadline(start time.Time, s QuizSettings) time.Time {
	var d time.Time
	if s.TimeLimit > 0 {
		d = start.Add(s.TimeLimit)
	}
	if !s.ClosesAt.IsZero() && (d.IsZero() || s.ClosesAt.Before(d)) {
		d = s.ClosesAt
	}
	return d
}

// AcceptsAnswers reports whether an attempt with this deadline may still save answers at
// now: until the deadline plus the grace a slow connection's last answer needs, both included.
func AcceptsAnswers(deadline time.Time, grace time.Duration, now time.Time) bool {
	return deadline.IsZero() || !now.After(deadline.Add(grace))
}

// Overdue reports whether an attempt left open is past its deadline and grace, for the
// sweeper to finish it with the answers saved.
func Overdue(deadline time.Time, grace time.Duration, now time.Time) bool {
	return !AcceptsAnswers(deadline, grace, now)
}

// QuizOpen says whether an attempt may be started at now: nil, ErrQuizNotOpenYet before
// OpensAt, ErrQuizClosed from ClosesAt on (an attempt started then would have no time at all).
func QuizOpen(s QuizSettings, now time.Time) error {
	switch {
	case !s.OpensAt.IsZero() && now.Before(s.OpensAt):
		return ErrQuizNotOpenYet
	case !s.ClosesAt.IsZero() && !now.Before(s.ClosesAt):
		return ErrQuizClosed
	}
	return nil
}

// CanStart reports whether a trainee who has used attempts (finished or in progress) may
// start another. extra is what an instructor granted this trainee beyond the quiz's limit.
func CanStart(s QuizSettings, attempts int, extra int) bool {
	if s.Attempts <= 0 {
		return true
	}
	return attempts < s.Attempts+max(extra, 0)
}

// Draw gives the question ids of a new attempt, in order: each fixed question in its place,
// each random item replaced by Count distinct questions drawn from its category's pool
// (category id → question ids). A drawn question is never one fixed elsewhere in the quiz
// nor one an earlier item drew, so no question shows twice. The error wraps ErrInvalid:
// ErrTooFewQuestions when a category has too few questions left, and a plain one for a quiz
// with no questions, more than MaxQuizQuestions, an item that is neither kind, or a question
// fixed twice.
func Draw(items []QuizItem, pools map[int64][]int64, rng *rand.Rand) ([]int64, error) {
	used := map[int64]bool{}
	total := 0
	for _, it := range items {
		switch {
		case it.QuestionID != 0:
			if used[it.QuestionID] {
				return nil, fmt.Errorf("question %d is in the quiz twice: %w", it.QuestionID, ErrInvalid)
			}
			used[it.QuestionID] = true
			total++
		case it.CategoryID != 0 && it.Count > 0:
			total += it.Count
		default:
			return nil, fmt.Errorf("a quiz item is neither a question nor a draw from a category: %w", ErrInvalid)
		}
	}
	if total == 0 {
		return nil, fmt.Errorf("the quiz has no questions: %w", ErrInvalid)
	}
	if total > MaxQuizQuestions {
		return nil, fmt.Errorf("the quiz has %d questions, more than %d: %w", total, MaxQuizQuestions, ErrInvalid)
	}
	ids := make([]int64, 0, total)
	for _, it := range items {
		if it.QuestionID != 0 {
			ids = append(ids, it.QuestionID)
			continue
		}
		var left []int64
		for _, id := range pools[it.CategoryID] {
			if !used[id] {
				used[id] = true // also drops a pool's duplicates; those not drawn are freed below
				left = append(left, id)
			}
		}
		if len(left) < it.Count {
			return nil, fmt.Errorf("category %d has %d questions left for %d: %w", it.CategoryID, len(left), it.Count, ErrTooFewQuestions)
		}
		// A partial Fisher–Yates shuffle: the first Count places get a uniform draw.
		for i := 0; i < it.Count; i++ {
			j := i + rng.IntN(len(left)-i)
			left[i], left[j] = left[j], left[i]
		}
		for _, id := range left[it.Count:] {
			delete(used, id)
		}
		ids = append(ids, left[:it.Count]...)
	}
	return ids, nil
}

// OptionOrder is the order an attempt shows a question's options in, as indexes into its
// answers: multiple choice shuffled when the quiz says so, true/false always true then false,
// a match's right-side items always shuffled (as Moodle does, or the answer would be the
// order itself), and nil for questions without options.
func OptionOrder(q Question, shuffle bool, rng *rand.Rand) []int {
	n := len(q.Answers)
	switch q.Type {
	case QuestionMultichoice:
		if shuffle {
			return rng.Perm(n)
		}
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		return order
	case QuestionTrueFalse:
		return []int{0, 1}
	case QuestionMatch:
		return rng.Perm(n)
	}
	return nil
}

// optionIDEncoding writes option ids as lower-case base32 without padding: short, and safe
// in a form value and an HTML id.
var optionIDEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewOptionIDs gives n distinct opaque ids for the options of one slot of an attempt, from
// 8 random bytes each read from rng (crypto/rand.Reader in production), so that a page never
// reveals which answer an option is. The store keeps them with the slot's option order.
func NewOptionIDs(n int, rng io.Reader) ([]string, error) {
	if n < 0 {
		return nil, fmt.Errorf("%d option ids: %w", n, ErrInvalid)
	}
	ids := make([]string, 0, n)
	seen := make(map[string]bool, n)
	var b [8]byte
	// Two ids in a row the same from a random source is already unheard of; a reader that
	// keeps repeating itself is broken, and the attempt is better refused than guessable.
	for tries := 0; len(ids) < n; tries++ {
		if tries >= 2*n {
			return nil, errors.New("option ids: the random source repeats itself")
		}
		if _, err := io.ReadFull(rng, b[:]); err != nil {
			return nil, fmt.Errorf("option ids: %w", err)
		}
		id := optionIDEncoding.EncodeToString(b[:])
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// SlotMark is what one slot of an attempt earned: its question's points and its mark.
type SlotMark struct {
	Points float64
	Mark   Mark
}

// AttemptScore adds an attempt's slots up: the points earned, the points it was worth, and
// whether a slot still waits for a person (its points are then counted in max, not in score).
func AttemptScore(slots []SlotMark) (score, max float64, pending bool) {
	for _, s := range slots {
		max += s.Points
		if s.Mark.Pending {
			pending = true
			continue
		}
		score += s.Points * s.Mark.Fraction
	}
	return roundFraction(score), roundFraction(max), pending
}

// Percent is score as a percentage of max, 0 when the quiz is worth nothing.
func Percent(score, max float64) float64 {
	if max <= 0 {
		return 0
	}
	return roundFraction(100 * score / max)
}

// Passed reports whether score reaches passMark percent of max. It compares score×100 with
// passMark×max, allowing for float error, so that 7 of 10 points passes a 70% mark exactly.
// A quiz worth nothing is passed by taking it. Callers check Pending first: an attempt with
// an essay still to mark has not passed yet (FinishedAttempt.Passed does both).
func Passed(score, max float64, passMark int) bool {
	need := float64(passMark) * max
	return 100*score >= need-1e-9*math.Max(1, math.Abs(need))
}

// FinishedAttempt is what the quiz grade needs of a finished attempt.
type FinishedAttempt struct {
	ID         int64
	FinishedAt time.Time
	Score, Max float64
	Pending    bool // a slot still waits for a person
}

// Passed reports whether the attempt has passed: marked in full and at or above passMark.
func (a FinishedAttempt) Passed(passMark int) bool {
	return !a.Pending && Passed(a.Score, a.Max, passMark)
}

// CountingAttempt gives the attempt that makes a trainee's grade on a quiz, as Moodle does,
// and false when none does yet. Attempts not finished (zero FinishedAt) are ignored.
//
//   - GradeHighest: the best percentage among the attempts marked in full, the earliest on a
//     tie. An attempt waiting for a person does not count until it is marked, even if it may
//     end up the best: the grade shown is that of the attempts marked so far.
//   - GradeLast: the attempt finished last (the higher id on the same instant), even when it
//     is waiting for a person: the quiz grade is then pending (check the attempt's Pending),
//     not that of an earlier attempt the trainee meant to replace.
func CountingAttempt(attempts []FinishedAttempt, m GradeMethod) (FinishedAttempt, bool) {
	var best FinishedAttempt
	found := false
	for _, a := range attempts {
		if a.FinishedAt.IsZero() {
			continue
		}
		switch m {
		case GradeHighest:
			if a.Pending {
				continue
			}
			p, bp := Percent(a.Score, a.Max), Percent(best.Score, best.Max)
			if !found || p > bp || (p == bp && earlier(a, best)) {
				best, found = a, true
			}
		case GradeLast:
			if !found || earlier(best, a) {
				best, found = a, true
			}
		default:
			return FinishedAttempt{}, false
		}
	}
	return best, found
}

// earlier reports whether a finished before b, the lower id first on the same instant.
func earlier(a, b FinishedAttempt) bool {
	if !a.FinishedAt.Equal(b.FinishedAt) {
		return a.FinishedAt.Before(b.FinishedAt)
	}
	return a.ID < b.ID
}

// ReviewView is what a trainee's review of a finished attempt shows.
type ReviewView struct {
	Answers     bool // the trainee's answers and the right ones
	Correctness bool // right / wrong marks and scores
	Feedback    bool // per-answer and general feedback
}

// ReviewShows is what the review of an attempt shows at now. Nothing shows before the
// attempt is finished. "After close" waits until the quiz has closed and its grace is over
// too: until then another trainee's last answers may still be saved, and must not be helped
// by the right answers already on a classmate's screen. A quiz that never closes never
// reaches "after close".
func ReviewShows(s QuizSettings, finished bool, now time.Time) ReviewView {
	shows := func(w ReviewWhen) bool {
		switch {
		case !finished:
			return false
		case w == ReviewImmediately:
			return true
		case w == ReviewAfterClose:
			return !s.ClosesAt.IsZero() && !now.Before(s.ClosesAt.Add(s.Grace))
		}
		return false
	}
	return ReviewView{Answers: shows(s.ReviewAnswers), Correctness: shows(s.ReviewCorrect), Feedback: shows(s.ReviewFeedback)}
}

// PageOf is the page (from 0) a slot (from 0) is on, perPage to a page; perPage 0 puts
// every slot on page 0.
func PageOf(slot int, perPage int) int {
	if perPage <= 0 || slot < 0 {
		return 0
	}
	return slot / perPage
}

// PageCount is how many pages an attempt of slots takes; 0 for no slots.
func PageCount(slots, perPage int) int {
	switch {
	case slots <= 0:
		return 0
	case perPage <= 0:
		return 1
	}
	return (slots + perPage - 1) / perPage
}

// CanVisit reports whether a trainee on page current may go to page want of pages: any
// page with free navigation; with sequential navigation only the same page or a later one,
// since a page left is never shown again. A navigation this version does not know is held
// to the stricter rule.
func CanVisit(nav Navigation, current, want, pages int) bool {
	if want < 0 || want >= pages {
		return false
	}
	return nav == NavigationFree || want >= current
}
