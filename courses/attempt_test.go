package courses

import (
	"bytes"
	"crypto/rand"
	"errors"
	mrand "math/rand/v2"
	"slices"
	"testing"
	"time"
)

var quizStart = time.Date(2026, 3, 15, 14, 0, 0, 0, time.UTC)

func TestDeadlineIsTheTimeLimitCappedByTheClose(t *testing.T) {
	tests := []struct {
		name  string
		limit time.Duration
		close time.Time
		want  time.Time
	}{
		{"untimed, never closes", 0, time.Time{}, time.Time{}},
		{"time limit only", 30 * time.Minute, time.Time{}, quizStart.Add(30 * time.Minute)},
		{"close only", 0, quizStart.Add(time.Hour), quizStart.Add(time.Hour)},
		{"close after the limit", 30 * time.Minute, quizStart.Add(time.Hour), quizStart.Add(30 * time.Minute)},
		{"close before the limit caps it", 30 * time.Minute, quizStart.Add(10 * time.Minute), quizStart.Add(10 * time.Minute)},
		{"close at the limit", 30 * time.Minute, quizStart.Add(30 * time.Minute), quizStart.Add(30 * time.Minute)},
	}
	for _, tt := range tests {
		got := Deadline(quizStart, QuizSettings{TimeLimit: tt.limit, ClosesAt: tt.close})
		if !got.Equal(tt.want) {
			t.Errorf("%s: Deadline = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAnswersAcceptedUntilDeadlinePlusGraceIncluded(t *testing.T) {
	deadline := quizStart.Add(30 * time.Minute)
	grace := 2 * time.Minute
	tests := []struct {
		name     string
		deadline time.Time
		now      time.Time
		accepts  bool
	}{
		{"before the deadline", deadline, deadline.Add(-time.Minute), true},
		{"at the deadline", deadline, deadline, true},
		{"within grace", deadline, deadline.Add(time.Minute), true},
		{"exactly at deadline plus grace", deadline, deadline.Add(grace), true},
		{"one nanosecond after", deadline, deadline.Add(grace + time.Nanosecond), false},
		{"no deadline, long after", time.Time{}, deadline.Add(1000 * time.Hour), true},
	}
	for _, tt := range tests {
		if got := AcceptsAnswers(tt.deadline, grace, tt.now); got != tt.accepts {
			t.Errorf("%s: AcceptsAnswers = %v", tt.name, got)
		}
		if got := Overdue(tt.deadline, grace, tt.now); got == tt.accepts {
			t.Errorf("%s: Overdue = %v", tt.name, got)
		}
	}
}

func TestQuizOpenBetweenOpeningAndClosing(t *testing.T) {
	s := QuizSettings{OpensAt: quizStart, ClosesAt: quizStart.Add(time.Hour)}
	tests := []struct {
		name string
		s    QuizSettings
		now  time.Time
		want error
	}{
		{"before opening", s, quizStart.Add(-time.Nanosecond), ErrQuizNotOpenYet},
		{"at opening", s, quizStart, nil},
		{"open", s, quizStart.Add(30 * time.Minute), nil},
		{"just before closing", s, quizStart.Add(time.Hour - time.Nanosecond), nil},
		{"at closing", s, quizStart.Add(time.Hour), ErrQuizClosed},
		{"after closing", s, quizStart.Add(2 * time.Hour), ErrQuizClosed},
		{"no dates", QuizSettings{}, quizStart, nil},
	}
	for _, tt := range tests {
		err := QuizOpen(tt.s, tt.now)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: QuizOpen = %v, want %v", tt.name, err, tt.want)
		}
		if err != nil && !errors.Is(err, ErrForbidden) {
			t.Errorf("%s: %v is not ErrForbidden", tt.name, err)
		}
	}
}

func TestCanStartCountsExtraAttempts(t *testing.T) {
	tests := []struct {
		name            string
		limit, used, ex int
		want            bool
	}{
		{"unlimited", 0, 50, 0, true},
		{"first of one", 1, 0, 0, true},
		{"second of one", 1, 1, 0, false},
		{"second of one with an extra", 1, 1, 1, true},
		{"third of one with an extra", 1, 2, 1, false},
		{"negative extra ignored", 2, 1, -5, true},
	}
	for _, tt := range tests {
		if got := CanStart(QuizSettings{Attempts: tt.limit}, tt.used, tt.ex); got != tt.want {
			t.Errorf("%s: CanStart = %v", tt.name, got)
		}
	}
}

func seeded(seed uint64) *mrand.Rand { return mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

func TestDrawKeepsFixedQuestionsAndDrawsDistinctOnes(t *testing.T) {
	items := []QuizItem{{QuestionID: 1}, {CategoryID: 10, Count: 3}, {QuestionID: 2}, {CategoryID: 10, Count: 2}, {CategoryID: 20, Count: 1}}
	pools := map[int64][]int64{10: {1, 2, 11, 12, 13, 14, 15, 11}, 20: {11, 12, 13, 14, 15, 21}}
	for seed := uint64(0); seed < 200; seed++ {
		ids, err := Draw(items, pools, seeded(seed))
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if len(ids) != 8 || ids[0] != 1 || ids[4] != 2 {
			t.Fatalf("seed %d: %v: fixed questions not in their place", seed, ids)
		}
		seen := map[int64]bool{}
		for i, id := range ids {
			if seen[id] {
				t.Fatalf("seed %d: %v: %d twice", seed, ids, id)
			}
			seen[id] = true
			if (i >= 1 && i <= 3) || (i >= 5 && i <= 6) {
				if !slices.Contains([]int64{11, 12, 13, 14, 15}, id) {
					t.Fatalf("seed %d: %v: %d not from category 10 without the fixed ones", seed, ids, id)
				}
			}
		}
		if ids[7] != 21 {
			t.Fatalf("seed %d: %v: category 20's only question left is 21", seed, ids)
		}
	}
}

func TestDrawIsReproducibleWithASeedAndVariesWithout(t *testing.T) {
	items := []QuizItem{{CategoryID: 1, Count: 5}}
	pools := map[int64][]int64{1: {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}
	a, _ := Draw(items, pools, seeded(42))
	b, _ := Draw(items, pools, seeded(42))
	if !slices.Equal(a, b) {
		t.Fatalf("same seed, %v then %v", a, b)
	}
	different := false
	for seed := uint64(1); seed < 20 && !different; seed++ {
		c, _ := Draw(items, pools, seeded(seed))
		different = !slices.Equal(a, c)
	}
	if !different {
		t.Fatal("every seed draws the same questions")
	}
}

func TestDrawRefusesWhatCannotBeDrawn(t *testing.T) {
	many := make([]QuizItem, 0, MaxQuizQuestions+1)
	for i := range MaxQuizQuestions + 1 {
		many = append(many, QuizItem{QuestionID: int64(i + 1)})
	}
	tests := []struct {
		name     string
		items    []QuizItem
		pools    map[int64][]int64
		tooFew   bool
		succeeds bool
	}{
		{"category too small", []QuizItem{{CategoryID: 1, Count: 4}}, map[int64][]int64{1: {1, 2, 3}}, true, false},
		{"category emptied by fixed questions", []QuizItem{{QuestionID: 1}, {CategoryID: 1, Count: 2}}, map[int64][]int64{1: {1, 2}}, true, false},
		{"category emptied by an earlier draw", []QuizItem{{CategoryID: 1, Count: 2}, {CategoryID: 2, Count: 1}}, map[int64][]int64{1: {1, 2}, 2: {1, 2}}, true, false},
		{"duplicates in a pool are one question", []QuizItem{{CategoryID: 1, Count: 2}}, map[int64][]int64{1: {5, 5, 5}}, true, false},
		{"unknown category", []QuizItem{{CategoryID: 9, Count: 1}}, nil, true, false},
		{"exactly enough", []QuizItem{{CategoryID: 1, Count: 3}}, map[int64][]int64{1: {1, 2, 3}}, false, true},
		{"no questions", nil, nil, false, false},
		{"empty item", []QuizItem{{}}, nil, false, false},
		{"draw of none", []QuizItem{{CategoryID: 1}}, map[int64][]int64{1: {1}}, false, false},
		{"question fixed twice", []QuizItem{{QuestionID: 1}, {QuestionID: 1}}, nil, false, false},
		{"too many questions", many, nil, false, false},
		{"too many drawn", []QuizItem{{QuestionID: 1}, {CategoryID: 1, Count: MaxQuizQuestions}}, nil, false, false},
		{"exactly the most", many[:MaxQuizQuestions], nil, false, true},
	}
	for _, tt := range tests {
		ids, err := Draw(tt.items, tt.pools, seeded(1))
		switch {
		case tt.succeeds && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case !tt.succeeds && (err == nil || ids != nil):
			t.Errorf("%s: %v, %v; want an error", tt.name, ids, err)
		case !tt.succeeds && !errors.Is(err, ErrInvalid):
			t.Errorf("%s: %v is not ErrInvalid", tt.name, err)
		case !tt.succeeds && errors.Is(err, ErrTooFewQuestions) != tt.tooFew:
			t.Errorf("%s: %v: ErrTooFewQuestions %v", tt.name, err, !tt.tooFew)
		}
	}
}

func isPermutation(order []int, n int) bool {
	s := slices.Clone(order)
	slices.Sort(s)
	for i := range n {
		if i >= len(s) || s[i] != i {
			return false
		}
	}
	return len(s) == n
}

func TestOptionOrderByQuestionType(t *testing.T) {
	five := make([]Answer, 5)
	mc := Question{Type: QuestionMultichoice, Answers: five}
	if got := OptionOrder(mc, false, seeded(1)); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
		t.Errorf("multichoice unshuffled: %v", got)
	}
	shuffled := false
	for seed := uint64(0); seed < 10; seed++ {
		got := OptionOrder(mc, true, seeded(seed))
		if !isPermutation(got, 5) {
			t.Fatalf("multichoice shuffled: %v is not a permutation", got)
		}
		shuffled = shuffled || !slices.Equal(got, []int{0, 1, 2, 3, 4})
	}
	if !shuffled {
		t.Error("multichoice never shuffled")
	}
	tf := Question{Type: QuestionTrueFalse, Answers: make([]Answer, 2)}
	if got := OptionOrder(tf, true, seeded(3)); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("truefalse: %v", got)
	}
	match := Question{Type: QuestionMatch, Answers: make([]Answer, 6)}
	matchShuffled := false
	for seed := uint64(0); seed < 10; seed++ {
		got := OptionOrder(match, false, seeded(seed))
		if !isPermutation(got, 6) {
			t.Fatalf("match: %v is not a permutation", got)
		}
		matchShuffled = matchShuffled || !slices.Equal(got, []int{0, 1, 2, 3, 4, 5})
	}
	if !matchShuffled {
		t.Error("match right items never shuffled, even without the quiz's shuffle")
	}
	for _, typ := range []QuestionType{QuestionShortAnswer, QuestionNumerical, QuestionEssay, QuestionDescription} {
		if got := OptionOrder(Question{Type: typ, Answers: make([]Answer, 2)}, true, seeded(1)); got != nil {
			t.Errorf("%s: %v, want nil", typ, got)
		}
	}
}

func TestNewOptionIDsAreDistinctAndOpaque(t *testing.T) {
	ids, err := NewOptionIDs(50, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if len(id) != 13 || seen[id] {
			t.Fatalf("id %q: wrong length or repeated in %v", id, ids)
		}
		for _, r := range id {
			if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
				t.Fatalf("id %q has %q", id, r)
			}
		}
		seen[id] = true
	}
	if ids, err := NewOptionIDs(0, rand.Reader); err != nil || len(ids) != 0 {
		t.Errorf("none: %v, %v", ids, err)
	}
	if _, err := NewOptionIDs(-1, rand.Reader); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative: %v", err)
	}
	if _, err := NewOptionIDs(3, bytes.NewReader(make([]byte, 1000))); err == nil {
		t.Error("a source of zeros gave distinct ids")
	}
	if _, err := NewOptionIDs(3, bytes.NewReader(make([]byte, 10))); err == nil {
		t.Error("a source that runs out gave ids")
	}
}

func TestAttemptScoreAddsPointsAndKeepsPending(t *testing.T) {
	tests := []struct {
		name       string
		slots      []SlotMark
		score, max float64
		pending    bool
	}{
		{"none", nil, 0, 0, false},
		{"marked", []SlotMark{{2, Mark{Fraction: 1}}, {3, Mark{Fraction: 0.5}}, {0, Mark{}}}, 3.5, 5, false},
		{"thirds add up", []SlotMark{{1, Mark{Fraction: 0.3333333}}, {1, Mark{Fraction: 0.6666667}}}, 1, 2, false},
		{"essay pending counts in max only", []SlotMark{{1, Mark{Fraction: 1}}, {5, Mark{Pending: true}}}, 1, 6, true},
	}
	for _, tt := range tests {
		score, max, pending := AttemptScore(tt.slots)
		if score != tt.score || max != tt.max || pending != tt.pending {
			t.Errorf("%s: %v, %v, %v", tt.name, score, max, pending)
		}
	}
}

func TestPercentAndPassBoundary(t *testing.T) {
	if p := Percent(7, 10); p != 70 {
		t.Errorf("Percent(7, 10) = %v", p)
	}
	if p := Percent(1, 3); p != 33.3333333 {
		t.Errorf("Percent(1, 3) = %v", p)
	}
	if p := Percent(0, 0); p != 0 {
		t.Errorf("Percent(0, 0) = %v", p)
	}
	tests := []struct {
		name       string
		score, max float64
		mark       int
		want       bool
	}{
		{"70% of 10 is 7", 7, 10, 70, true},
		{"just under", 6.9999, 10, 70, false},
		{"sum of tenths at the mark", 0.1 + 0.2 + 0.4, 1, 70, true}, // 0.7000000000000001 or 0.6999999999999999
		{"seven tenths by thirds", 2.1, 3, 70, true},
		{"float just under the mark", 0.7 - 1e-15, 1, 70, true},
		{"full marks", 10, 10, 100, true},
		{"nearly full", 9.99, 10, 100, false},
		{"pass mark 0", 0, 10, 0, true},
		{"worth nothing", 0, 0, 70, true},
	}
	for _, tt := range tests {
		if got := Passed(tt.score, tt.max, tt.mark); got != tt.want {
			t.Errorf("%s: Passed(%v, %v, %d) = %v", tt.name, tt.score, tt.max, tt.mark, got)
		}
	}
	if (FinishedAttempt{Score: 10, Max: 10, Pending: true}).Passed(50) {
		t.Error("an attempt with a pending essay passed")
	}
	if !(FinishedAttempt{Score: 7, Max: 10}).Passed(70) {
		t.Error("7 of 10 did not pass 70%")
	}
}

func TestCountingAttemptByGradeMethod(t *testing.T) {
	at := func(min int) time.Time { return quizStart.Add(time.Duration(min) * time.Minute) }
	a1 := FinishedAttempt{ID: 1, FinishedAt: at(10), Score: 6, Max: 10}
	a2 := FinishedAttempt{ID: 2, FinishedAt: at(20), Score: 8, Max: 10}
	a3 := FinishedAttempt{ID: 3, FinishedAt: at(30), Score: 4, Max: 5} // 80% too, later
	a4 := FinishedAttempt{ID: 4, FinishedAt: at(40), Score: 1, Max: 10, Pending: true}
	a5 := FinishedAttempt{ID: 5, FinishedAt: at(40), Score: 2, Max: 10}
	open := FinishedAttempt{ID: 6, Score: 10, Max: 10}
	tests := []struct {
		name     string
		attempts []FinishedAttempt
		m        GradeMethod
		want     int64
		ok       bool
	}{
		{"none", nil, GradeHighest, 0, false},
		{"highest", []FinishedAttempt{a1, a2}, GradeHighest, 2, true},
		{"highest tie: earliest", []FinishedAttempt{a3, a2, a1}, GradeHighest, 2, true},
		{"highest ignores pending", []FinishedAttempt{a1, {ID: 9, FinishedAt: at(50), Score: 10, Max: 10, Pending: true}}, GradeHighest, 1, true},
		{"highest with only pending", []FinishedAttempt{a4}, GradeHighest, 0, false},
		{"highest ignores an unfinished attempt", []FinishedAttempt{a1, open}, GradeHighest, 1, true},
		{"last", []FinishedAttempt{a2, a1, a3}, GradeLast, 3, true},
		{"last pending is the grade, pending", []FinishedAttempt{a2, a4}, GradeLast, 4, true},
		{"last on the same instant: higher id", []FinishedAttempt{a5, a4}, GradeLast, 5, true},
		{"last ignores an unfinished attempt", []FinishedAttempt{a1, open}, GradeLast, 1, true},
		{"unknown method", []FinishedAttempt{a1}, GradeMethod("average"), 0, false},
	}
	for _, tt := range tests {
		got, ok := CountingAttempt(tt.attempts, tt.m)
		if ok != tt.ok || got.ID != tt.want {
			t.Errorf("%s: %d, %v; want %d, %v", tt.name, got.ID, ok, tt.want, tt.ok)
		}
	}
}

func TestReviewShowsByPolicy(t *testing.T) {
	closes := quizStart.Add(time.Hour)
	grace := 2 * time.Minute
	policy := func(w ReviewWhen, closesAt time.Time) QuizSettings {
		return QuizSettings{ClosesAt: closesAt, Grace: grace, ReviewAnswers: w, ReviewCorrect: w, ReviewFeedback: w}
	}
	tests := []struct {
		name     string
		s        QuizSettings
		finished bool
		now      time.Time
		want     bool
	}{
		{"immediately, finished", policy(ReviewImmediately, time.Time{}), true, quizStart, true},
		{"immediately, not finished", policy(ReviewImmediately, time.Time{}), false, quizStart, false},
		{"after close, before close", policy(ReviewAfterClose, closes), true, closes.Add(-time.Minute), false},
		{"after close, at close: others still in grace", policy(ReviewAfterClose, closes), true, closes, false},
		{"after close, at close plus grace", policy(ReviewAfterClose, closes), true, closes.Add(grace), true},
		{"after close, later, not finished", policy(ReviewAfterClose, closes), false, closes.Add(time.Hour), false},
		{"after close, never closes", policy(ReviewAfterClose, time.Time{}), true, closes.Add(1000 * time.Hour), false},
		{"never", policy(ReviewNever, closes), true, closes.Add(1000 * time.Hour), false},
		{"unknown", policy(ReviewWhen("sometimes"), closes), true, closes.Add(time.Hour), false},
	}
	for _, tt := range tests {
		want := ReviewView{tt.want, tt.want, tt.want}
		if got := ReviewShows(tt.s, tt.finished, tt.now); got != want {
			t.Errorf("%s: %+v", tt.name, got)
		}
	}
	mixed := QuizSettings{ReviewAnswers: ReviewNever, ReviewCorrect: ReviewImmediately, ReviewFeedback: ReviewAfterClose, ClosesAt: closes}
	if got := ReviewShows(mixed, true, quizStart); got != (ReviewView{Correctness: true}) {
		t.Errorf("each kind on its own policy: %+v", got)
	}
}

func TestPagesOfAnAttempt(t *testing.T) {
	tests := []struct{ slot, perPage, page int }{{0, 1, 0}, {4, 1, 4}, {0, 3, 0}, {2, 3, 0}, {3, 3, 1}, {9, 0, 0}}
	for _, tt := range tests {
		if got := PageOf(tt.slot, tt.perPage); got != tt.page {
			t.Errorf("PageOf(%d, %d) = %d", tt.slot, tt.perPage, got)
		}
	}
	counts := []struct{ slots, perPage, pages int }{{0, 1, 0}, {1, 1, 1}, {5, 1, 5}, {5, 2, 3}, {6, 2, 3}, {5, 0, 1}, {5, 50, 1}}
	for _, tt := range counts {
		if got := PageCount(tt.slots, tt.perPage); got != tt.pages {
			t.Errorf("PageCount(%d, %d) = %d", tt.slots, tt.perPage, got)
		}
	}
}

func TestSequentialNavigationOnlyGoesForward(t *testing.T) {
	tests := []struct {
		nav                 Navigation
		current, want, have int
		ok                  bool
	}{
		{NavigationSequential, 2, 3, 5, true},
		{NavigationSequential, 2, 2, 5, true},
		{NavigationSequential, 2, 1, 5, false},
		{NavigationSequential, 2, 4, 5, true},
		{NavigationSequential, 2, 5, 5, false},
		{NavigationFree, 2, 0, 5, true},
		{NavigationFree, 2, 4, 5, true},
		{NavigationFree, 2, 5, 5, false},
		{NavigationFree, 2, -1, 5, false},
		{Navigation("jump"), 2, 1, 5, false},
		{Navigation("jump"), 2, 3, 5, true},
	}
	for _, tt := range tests {
		if got := CanVisit(tt.nav, tt.current, tt.want, tt.have); got != tt.ok {
			t.Errorf("CanVisit(%s, %d, %d, %d) = %v", tt.nav, tt.current, tt.want, tt.have, got)
		}
	}
}
