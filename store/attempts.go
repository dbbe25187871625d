package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Errors of attempts that pages explain to the trainee.
var (
	ErrNotEnroled      = fmt.Errorf("not enrolled in the course: %w", courses.ErrForbidden)
	ErrNoAttemptsLeft  = fmt.Errorf("no attempts left: %w", courses.ErrConflict)
	ErrAttemptClosed   = fmt.Errorf("the attempt is over: %w", courses.ErrConflict)
	ErrAttemptFinished = fmt.Errorf("finished: %w", ErrAttemptClosed)
	ErrPageLeft        = fmt.Errorf("a page already left in a sequential quiz: %w", courses.ErrConflict)
	ErrTooFewQuestions = fmt.Errorf("a category holds too few questions for the quiz: %w", courses.ErrConflict)
)

// startAttemptLocked is StartAttempt the careful way, for what its two statements leave
// (another start at once, an attempt in progress whose time is up): the trainee's enrolment
// is locked while it decides, so that concurrent starts never make more attempts than
// allowed, and an attempt in progress whose time is up is finished first.
func (s *Store) startAttemptLocked(ctx context.Context, userID, courseID, quizID int64, lang string, now time.Time) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var enrolled bool
		if err := tx.GetContext(ctx, &enrolled, `SELECT true FROM enrolments WHERE user_id = $1 AND course_id = $2 AND status = 'active' FOR UPDATE`,
			userID, courseID); notFound(err) {
			return ErrNotEnroled
		} else if err != nil {
			return err
		}
		var quiz quizRow
		if err := tx.GetContext(ctx, &quiz, quizSelect+` WHERE z.id = $1 AND m.course_id = $2`, quizID, courseID); notFound(err) {
			return fmt.Errorf("quiz %d: %w", quizID, courses.ErrNotFound)
		} else if err != nil {
			return err
		}
		q, err := quiz.quiz()
		if err != nil {
			return err
		}
		var open struct {
			ID       int64        `db:"id"`
			Deadline sql.NullTime `db:"deadline"`
			GraceMS  int64        `db:"grace_ms"`
		}
		err = tx.GetContext(ctx, &open, `SELECT id, deadline, grace_ms FROM quiz_attempts WHERE quiz_id = $1 AND user_id = $2 AND finished_at IS NULL`, quizID, userID)
		switch {
		case err == nil && !courses.Overdue(open.Deadline.Time, time.Duration(open.GraceMS)*time.Millisecond, now):
			id = open.ID
			return nil
		case err == nil:
			if err := s.finishAttempt(ctx, tx, open.ID, now); err != nil {
				return err
			}
		case !notFound(err):
			return err
		}
		if err := courses.QuizOpen(q.Settings, now); err != nil {
			return err
		}
		var used struct {
			Attempts int `db:"attempts"`
			Extra    int `db:"extra"`
			Minutes  int `db:"minutes"`
		}
		if err := tx.GetContext(ctx, &used, `SELECT
				(SELECT count(*) FROM quiz_attempts WHERE quiz_id = $1 AND user_id = $2) AS attempts,
				(SELECT coalesce(sum(attempts), 0) FROM quiz_grants WHERE quiz_id = $1 AND user_id = $2) AS extra,
				(SELECT coalesce(sum(minutes), 0) FROM quiz_grants WHERE quiz_id = $1 AND user_id = $2) AS minutes`, quizID, userID); err != nil {
			return err
		}
		if !courses.CanStart(q.Settings, used.Attempts, used.Extra) {
			return ErrNoAttemptsLeft
		}
		id, err = s.insertAttempt(ctx, tx, q, userID, courseID, used.Attempts+1, lang, time.Duration(used.Minutes)*time.Minute, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: start attempt at quiz %d: %w", quizID, err)
	}
	return id, nil
}

// insertAttempt draws the attempt's questions from the bank's current versions and writes it all.
func (s *Store) insertAttempt(ctx context.Context, tx *sqlx.Tx, q courses.Quiz, userID, courseID int64, number int, lang string, extra time.Duration, now time.Time) (int64, error) {
	var bank []bankQuestion
	if err := tx.SelectContext(ctx, &bank, `
		SELECT q.id, q.category_id, v.id AS version_id
		FROM questions q JOIN question_versions v ON v.question_id = q.id AND v.version = q.version
		WHERE q.course_id = $1 AND q.deleted_at IS NULL ORDER BY q.id`, courseID); err != nil {
		return 0, err
	}
	p, err := s.planAttempt(ctx, tx, q, bank, extra, now)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := tx.GetContext(ctx, &id, `INSERT INTO quiz_attempts (quiz_id, user_id, number, language, started_at, deadline, grace_ms, navigation, per_page)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		q.ID, userID, number, lang, now, nullTimeValue(p.deadline), p.settings.Grace.Milliseconds(), string(p.settings.Navigation), p.settings.PerPage); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO attempt_slots (attempt_id, slot, question_version_id, option_order, option_ids)
		SELECT $1, s.slot, s.version, s.option_order::integer[], s.option_ids::text[]
		FROM unnest($2::integer[], $3::bigint[], $4::text[], $5::text[]) AS s (slot, version, option_order, option_ids)`,
		id, p.slots, p.versions, pq.StringArray(p.orders), pq.StringArray(p.ids)); err != nil {
		return 0, err
	}
	return id, nil
}

func intsToInt64(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func nullTimeValue(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

type attemptRow struct {
	ID         int64           `db:"id"`
	QuizID     int64           `db:"quiz_id"`
	CourseID   int64           `db:"course_id"`
	Slug       string          `db:"slug"`
	QuizTitles []byte          `db:"quiz_titles"`
	Settings   []byte          `db:"quiz_settings"`
	UserID     int64           `db:"user_id"`
	Number     int             `db:"number"`
	Language   string          `db:"language"`
	Default    string          `db:"default_language"`
	StartedAt  time.Time       `db:"started_at"`
	Deadline   sql.NullTime    `db:"deadline"`
	GraceMS    int64           `db:"grace_ms"`
	Navigation string          `db:"navigation"`
	PerPage    int             `db:"per_page"`
	Page       int             `db:"page"`
	FinishedAt sql.NullTime    `db:"finished_at"`
	Score      sql.NullFloat64 `db:"score"`
	Max        sql.NullFloat64 `db:"max_score"`
	Pending    bool            `db:"pending"`
	Passed     bool            `db:"passed"`
	Slots      []byte          `db:"slots"`
}

// attemptSelect reads an attempt with every slot, the id of its question's version and its
// answer, in one statement; the versions themselves come from questionsOf, which keeps them.
const attemptSelect = `
	SELECT a.id, a.quiz_id, m.course_id, c.slug, z.titles AS quiz_titles, z.settings AS quiz_settings, a.user_id, a.number, a.language, c.default_language, a.started_at, a.deadline,
		a.grace_ms, a.navigation, a.per_page, a.page, a.finished_at, a.score, a.max_score, a.pending, a.passed,
		(SELECT coalesce(json_agg(json_build_object('slot', s.slot, 'version_id', s.question_version_id,
			'order', s.option_order, 'option_ids', s.option_ids, 'response', s.response, 'seq', s.seq,
			'fraction', s.fraction, 'pending', s.pending) ORDER BY s.slot), '[]')
			FROM attempt_slots s WHERE s.attempt_id = a.id) AS slots
	FROM quiz_attempts a JOIN quizzes z ON z.id = a.quiz_id JOIN modules m ON m.id = z.module_id JOIN courses c ON c.id = m.course_id`

// attempt makes the domain's attempt of a row, with its questions' versions (read through q
// when this instance has not kept them yet).
func (s *Store) attempt(ctx context.Context, q sqlx.QueryerContext, r attemptRow) (courses.Attempt, error) {
	a := courses.Attempt{ID: r.ID, QuizID: r.QuizID, CourseID: r.CourseID, UserID: r.UserID, Number: r.Number, Language: r.Language,
		Default: r.Default, StartedAt: r.StartedAt, Deadline: r.Deadline.Time, Grace: time.Duration(r.GraceMS) * time.Millisecond,
		Navigation: courses.Navigation(r.Navigation), PerPage: r.PerPage, Page: r.Page, FinishedAt: r.FinishedAt.Time,
		Score: r.Score.Float64, Max: r.Max.Float64, Pending: r.Pending, Passed: r.Passed, Slug: r.Slug}
	var err error
	if a.QuizTitles, err = s.titles.of(r.QuizTitles); err != nil {
		return a, fmt.Errorf("attempt %d quiz titles: %w", r.ID, err)
	}
	if err := json.Unmarshal(r.Settings, &a.Settings); err != nil {
		return a, fmt.Errorf("attempt %d quiz settings: %w", r.ID, err)
	}
	var slots []struct {
		Slot      int               `json:"slot"`
		VersionID int64             `json:"version_id"`
		Order     []int             `json:"order"`
		OptionIDs []string          `json:"option_ids"`
		Response  *courses.Response `json:"response"`
		Seq       int64             `json:"seq"`
		Fraction  *float64          `json:"fraction"`
		Pending   bool              `json:"pending"`
	}
	if err := json.Unmarshal(r.Slots, &slots); err != nil {
		return a, fmt.Errorf("attempt %d slots: %w", r.ID, err)
	}
	ids := make([]int64, len(slots))
	for i, sl := range slots {
		ids[i] = sl.VersionID
	}
	questions, err := s.questionsOf(ctx, q, ids)
	if err != nil {
		return a, fmt.Errorf("attempt %d: %w", r.ID, err)
	}
	a.Slots = make([]courses.AttemptSlot, 0, len(slots)) // kept by the instance: no room to spare
	for _, sl := range slots {
		slot := courses.AttemptSlot{Slot: sl.Slot, VersionID: sl.VersionID, Question: questions[sl.VersionID], Order: sl.Order,
			OptionIDs: sl.OptionIDs, Response: sl.Response, Seq: sl.Seq}
		if sl.Fraction != nil || sl.Pending {
			slot.Mark = &courses.Mark{Fraction: derefFloat(sl.Fraction), Pending: sl.Pending}
		}
		a.Slots = append(a.Slots, slot)
	}
	return a, nil
}

func derefFloat(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// Attempt is one of userID's attempts, with every slot. Another user's attempt is not found.
func (s *Store) Attempt(ctx context.Context, userID, attemptID int64) (courses.Attempt, error) {
	var r attemptRow
	err := s.hotGet(ctx, &r, attemptSelect+` WHERE a.id = $1 AND a.user_id = $2`, attemptID, userID)
	if notFound(err) {
		return courses.Attempt{}, fmt.Errorf("store: attempt %d: %w", attemptID, courses.ErrNotFound)
	}
	if err != nil {
		return courses.Attempt{}, fmt.Errorf("store: attempt %d: %w", attemptID, err)
	}
	a, err := s.attempt(ctx, s.db, r)
	if err != nil {
		return a, fmt.Errorf("store: %w", err)
	}
	if !a.Finished() {
		s.skeletons.keep(a)
	}
	return a, nil
}

// AttemptShape is an attempt in progress as this instance last read it, without reading
// PostgreSQL: what never changes once it has started (its trainee, course, questions, their
// options' order and ids, its deadline and navigation). Its slots carry no answers nor marks
// (see keptShape), and their sequence numbers, its page and its state may be out of date:
// only what the store checks again when it saves (SavePage) may rely on it.
func (s *Store) AttemptShape(userID, attemptID int64) (courses.Attempt, bool) {
	a, ok := s.skeletons.get(attemptID, &s.versions)
	return a, ok && a.UserID == userID
}

// AttemptOfCourse is any attempt at a quiz of courseID, for its instructors.
func (s *Store) AttemptOfCourse(ctx context.Context, courseID, attemptID int64) (courses.Attempt, error) {
	var r attemptRow
	err := s.db.GetContext(ctx, &r, attemptSelect+` WHERE a.id = $1 AND m.course_id = $2`, attemptID, courseID)
	if notFound(err) {
		return courses.Attempt{}, fmt.Errorf("store: attempt %d: %w", attemptID, courses.ErrNotFound)
	}
	if err != nil {
		return courses.Attempt{}, fmt.Errorf("store: attempt %d: %w", attemptID, err)
	}
	a, err := s.attempt(ctx, s.db, r)
	if err != nil {
		return a, fmt.Errorf("store: %w", err)
	}
	return a, nil
}

// SaveAnswers keeps the answers JavaScript sends as they are given, in one statement: each
// slot's answer is written only when its sequence number is newer than the one kept, so that
// a late, replayed or out-of-order request never overwrites a newer answer; nothing is
// written once the attempt is finished or its deadline and grace have passed
// (ErrAttemptClosed, ErrAttemptFinished). It returns, for each slot not written because a
// newer answer is kept (another tab, another device), the sequence number kept, so that the
// page can send its answer again after it, and the attempt's deadline as it stands. An answer
// on a page a sequential quiz has left is not written either: when it is newer than the one
// kept the save says ErrPageLeft (the others sent with it are written), and else it is stale.
func (s *Store) SaveAnswers(ctx context.Context, userID, attemptID int64, saves []courses.AnswerSave, now time.Time) (Saved, error) {
	return s.saveAnswers(ctx, userID, attemptID, saves, now, false)
}

// Saved is what SaveAnswers says of a save that was let in.
type Saved struct {
	Stale    map[int]int64 // slot: the newer sequence number kept, for the answers not written
	Deadline time.Time     // zero when untimed
}

// SavePage keeps the answers of a page's own submit, the trainee's latest word: each is
// numbered after the one kept whatever number the form carries (a page the back button
// restored carries an old one), under the same rules of time as SaveAnswers; answers on a
// page a sequential quiz has left are not written, and not reported (the page submitted is
// the one the store holds).
func (s *Store) SavePage(ctx context.Context, userID, attemptID int64, saves []courses.AnswerSave, now time.Time) error {
	_, err := s.saveAnswers(ctx, userID, attemptID, saves, now, true)
	if errors.Is(err, ErrPageLeft) {
		return nil
	}
	return err
}

// saveArrays is saves as the arrays a save statement unnests: slots, sequence numbers and
// responses as JSON.
func saveArrays(saves []courses.AnswerSave) (pq.Int64Array, pq.Int64Array, pq.StringArray, error) {
	slots := make(pq.Int64Array, len(saves))
	seqs := make(pq.Int64Array, len(saves))
	responses := make(pq.StringArray, len(saves))
	for i, sv := range saves {
		b, err := json.Marshal(sv.Response)
		if err != nil {
			return nil, nil, nil, err
		}
		slots[i], seqs[i], responses[i] = int64(sv.Slot), sv.Seq, string(b)
	}
	return slots, seqs, responses, nil
}

func (s *Store) saveAnswers(ctx context.Context, userID, attemptID int64, saves []courses.AnswerSave, now time.Time, newest bool) (Saved, error) {
	s.justSaved.drop(attemptID) // the attempt as started or last turned is out of date now
	if len(saves) == 0 {
		return Saved{}, nil
	}
	slots, seqs, responses, err := saveArrays(saves)
	if err != nil {
		return Saved{}, err
	}
	var r struct {
		Open       bool          `db:"open"`
		Deadline   sql.NullTime  `db:"deadline"`
		Navigation string        `db:"navigation"`
		PerPage    int           `db:"per_page"`
		Page       int           `db:"page"`
		Written    pq.Int64Array `db:"written"`
		Seqs       pq.Int64Array `db:"seqs"`
	}
	err = s.durableGet(ctx, &r, saveAnswersQuery, attemptID, userID, slots, seqs, responses, now, newest)
	if err != nil {
		return Saved{}, fmt.Errorf("store: save answers of attempt %d: %w", attemptID, err)
	}
	if !r.Open {
		return Saved{}, s.whyClosed(ctx, userID, attemptID)
	}
	saved := Saved{Deadline: r.Deadline.Time}
	written := make(map[int64]bool, len(r.Written))
	for _, slot := range r.Written {
		written[slot] = true
	}
	left := false
	for _, sv := range saves {
		open := courses.Navigation(r.Navigation) == courses.NavigationFree || r.PerPage <= 0 || courses.PageOf(sv.Slot, r.PerPage) >= r.Page
		switch {
		case written[int64(sv.Slot)] || sv.Slot < 0 || sv.Slot >= len(r.Seqs):
		case !open && r.Seqs[sv.Slot] < sv.Seq:
			left = true // an answer newer than the one kept, on a page left: it cannot be kept
		default:
			// Not written, and a newer answer is kept (on a page left too: a save still queued
			// when the page's own submit saved it). The number read is from before the save;
			// one that a save at the same moment made newer than the one sent is told as the
			// one sent, and the page's next try learns the rest.
			if saved.Stale == nil {
				saved.Stale = make(map[int]int64)
			}
			saved.Stale[sv.Slot] = max(r.Seqs[sv.Slot], sv.Seq)
		}
	}
	if left {
		return saved, fmt.Errorf("store: save answers of attempt %d: %w", attemptID, ErrPageLeft)
	}
	return saved, nil
}

// saveAnswersQuery is SaveAnswers' one statement: $1 attempt, $2 user, $3 slots, $4 their
// sequence numbers, $5 their responses (JSON), $6 now, $7 a page's own submit (newest). It
// says whether the attempt was open, its deadline, navigation, page and answers a page,
// the slots written, and every slot's sequence number as it was before the save (slots are
// numbered from 0), from which saveAnswers tells why an answer was not written. It is kept
// as plain for the planner as the save allows: PostgreSQL plans it again on each
// connection whenever the attempts' tables are analysed, as they are all through an exam.
const saveAnswersQuery = `
		WITH a AS (
			SELECT id, per_page, navigation, page, deadline FROM quiz_attempts
			WHERE id = $1 AND user_id = $2 AND finished_at IS NULL
				AND (deadline IS NULL OR $6 <= deadline + grace_ms * interval '1 millisecond')
			-- Waits for a finish in progress, which holds the row: PostgreSQL then reads the
			-- finished row again, and the save writes nothing into a graded attempt.
			FOR SHARE
		), saved AS (
			UPDATE attempt_slots s SET response = n.response::jsonb, saved_at = $6,
				seq = CASE WHEN $7 THEN greatest(s.seq + 1, n.seq) ELSE n.seq END
			FROM a, unnest($3::integer[], $4::bigint[], $5::text[]) AS n (slot, seq, response)
			WHERE s.attempt_id = a.id AND s.slot = n.slot AND ($7 OR s.seq < n.seq)
				AND (a.navigation = 'free' OR a.per_page = 0 OR n.slot / a.per_page >= a.page)
			RETURNING s.slot
		)
		SELECT a.id IS NOT NULL AS open, a.deadline, coalesce(a.navigation, '') AS navigation,
			coalesce(a.per_page, 0) AS per_page, coalesce(a.page, 0) AS page,
			coalesce((SELECT array_agg(slot) FROM saved), '{}') AS written,
			coalesce((SELECT array_agg(s.seq ORDER BY s.slot) FROM attempt_slots s WHERE s.attempt_id = a.id), '{}') AS seqs
		FROM (SELECT) AS one LEFT JOIN a ON true`

// SavePageOf is SavePage for an attempt whose shape this instance keeps (AttemptShape): the
// same statement, under the same rules, also reads back every slot's answer as the save left
// it, and the store keeps the attempt so made for the page the submit leads to
// (AttemptAsSaved), which then costs no read of its own.
func (s *Store) SavePageOf(ctx context.Context, shape courses.Attempt, saves []courses.AnswerSave, now time.Time) error {
	s.justSaved.drop(shape.ID)
	if len(saves) == 0 {
		return nil
	}
	slots, seqs, responses, err := saveArrays(saves)
	if err != nil {
		return err
	}
	var r struct {
		Open  bool   `db:"open"`
		Page  int    `db:"page"`
		Slots []byte `db:"slots"`
	}
	err = s.durableGet(ctx, &r, savePageQuery, shape.ID, shape.UserID, slots, seqs, responses, now)
	if err != nil {
		return fmt.Errorf("store: save answers of attempt %d: %w", shape.ID, err)
	}
	if !r.Open {
		return s.whyClosed(ctx, shape.UserID, shape.ID)
	}
	var kept []struct {
		Slot     int               `json:"slot"`
		Response *courses.Response `json:"response"`
		Seq      int64             `json:"seq"`
	}
	if err := json.Unmarshal(r.Slots, &kept); err != nil || len(kept) != len(shape.Slots) {
		return nil // saved; the page that follows reads the attempt itself
	}
	a := shape
	a.Page = r.Page
	a.Slots = make([]courses.AttemptSlot, len(shape.Slots))
	for i, sl := range kept {
		if sl.Slot != shape.Slots[i].Slot {
			return nil
		}
		a.Slots[i] = shape.Slots[i]
		a.Slots[i].Response, a.Slots[i].Seq = sl.Response, sl.Seq
	}
	s.justSaved.keep(a, justSavedFor)
	return nil
}

// AttemptAsSaved is userID's attempt as a page's submit on this instance has just saved it
// (SavePageOf), or as its start has just written it (StartAttempt), once: the page the submit
// or the start redirects to is shown from it instead of reading the attempt again, and any
// later view reads it afresh; any write to the attempt on this instance forgets it. It is at
// most justSavedFor old after a submit, justStartedFor after a start: a save from another tab
// or device in that moment would show on the view after.
func (s *Store) AttemptAsSaved(userID, attemptID int64) (courses.Attempt, bool) {
	return s.justSaved.take(attemptID, userID)
}

// savePageQuery is SavePageOf's one statement: saveAnswersQuery with newest on, returning
// besides whether the attempt was open its page and every slot's answer and sequence number
// as the save left them ($1 attempt, $2 user, $3 slots, $4 sequence numbers, $5 responses,
// $6 now). The main query sees the slots as they were before the UPDATE, so a slot written
// takes what the UPDATE returned.
const savePageQuery = `
		WITH a AS (
			SELECT id, per_page, navigation, page FROM quiz_attempts
			WHERE id = $1 AND user_id = $2 AND finished_at IS NULL
				AND (deadline IS NULL OR $6 <= deadline + grace_ms * interval '1 millisecond')
			FOR SHARE
		), saved AS (
			UPDATE attempt_slots s SET response = n.response::jsonb, saved_at = $6, seq = greatest(s.seq + 1, n.seq)
			FROM a, unnest($3::integer[], $4::bigint[], $5::text[]) AS n (slot, seq, response)
			WHERE s.attempt_id = a.id AND s.slot = n.slot
				AND (a.navigation = 'free' OR a.per_page = 0 OR n.slot / a.per_page >= a.page)
			RETURNING s.slot, s.response, s.seq
		)
		SELECT EXISTS (SELECT 1 FROM a) AS open, coalesce((SELECT page FROM a), 0) AS page,
			coalesce((SELECT json_agg(json_build_object('slot', s.slot,
				'response', CASE WHEN v.slot IS NULL THEN s.response ELSE v.response END,
				'seq', coalesce(v.seq, s.seq)) ORDER BY s.slot)
				FROM a JOIN attempt_slots s ON s.attempt_id = a.id LEFT JOIN saved v ON v.slot = s.slot), '[]') AS slots`

// whyClosed tells a refused save from an attempt that is not the user's, and a finished
// attempt (ErrAttemptFinished) from one whose time is up (ErrAttemptClosed).
func (s *Store) whyClosed(ctx context.Context, userID, attemptID int64) error {
	var finished bool
	err := s.db.GetContext(ctx, &finished, `SELECT finished_at IS NOT NULL FROM quiz_attempts WHERE id = $1 AND user_id = $2`, attemptID, userID)
	switch {
	case notFound(err):
		return fmt.Errorf("store: attempt %d: %w", attemptID, courses.ErrNotFound)
	case err != nil:
		return fmt.Errorf("store: attempt %d: %w", attemptID, err)
	case finished:
		return fmt.Errorf("store: save answers of attempt %d: %w", attemptID, ErrAttemptFinished)
	}
	return fmt.Errorf("store: save answers of attempt %d: %w", attemptID, ErrAttemptClosed)
}

// TurnPage records that the trainee reached page; a sequential quiz never goes back below
// the furthest page reached.
func (s *Store) TurnPage(ctx context.Context, userID, attemptID int64, page int, now time.Time) error {
	s.justSaved.drop(attemptID)
	res, err := s.db.ExecContext(ctx, `UPDATE quiz_attempts SET page = greatest(page, $3)
		WHERE id = $1 AND user_id = $2 AND finished_at IS NULL AND (deadline IS NULL OR $4 <= deadline + grace_ms * interval '1 millisecond')`,
		attemptID, userID, page, now)
	if err != nil {
		return fmt.Errorf("store: turn page of attempt %d: %w", attemptID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.whyClosed(ctx, userID, attemptID)
	}
	return nil
}

// FinishAttempt grades userID's attempt with the answers saved and records the course's
// completion when it now holds. Finishing is idempotent: an attempt already finished (a
// double click, a replay, another instance, the sweeper) is left as it is.
func (s *Store) FinishAttempt(ctx context.Context, userID, attemptID int64, now time.Time) error {
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var owner int64
		if err := tx.GetContext(ctx, &owner, `SELECT user_id FROM quiz_attempts WHERE id = $1 AND user_id = $2`, attemptID, userID); notFound(err) {
			return courses.ErrNotFound
		} else if err != nil {
			return err
		}
		if err := lockEnrolmentOf(ctx, tx, attemptID); err != nil {
			return err
		}
		return s.finishAttempt(ctx, tx, attemptID, now)
	})
	if err != nil {
		return fmt.Errorf("store: finish attempt %d: %w", attemptID, err)
	}
	return nil
}

// finishAttempt locks the attempt and, unless it is finished already, grades every slot and
// the whole. An overdue attempt is finished at its deadline and grace, not later.
func (s *Store) finishAttempt(ctx context.Context, tx *sqlx.Tx, attemptID int64, now time.Time) error {
	s.justSaved.drop(attemptID)
	// The lock first, then the read, in a statement of its own: a statement reads what was
	// committed when it began, so a read that waited for the lock behind a save (which holds
	// the attempt FOR SHARE) would grade the slots as they were before that save, which the
	// trainee was told was saved.
	var finished bool
	if err := tx.GetContext(ctx, &finished, `SELECT finished_at IS NOT NULL FROM quiz_attempts WHERE id = $1 FOR UPDATE`, attemptID); err != nil {
		return err
	}
	if finished {
		return nil
	}
	var r attemptRow
	if err := tx.GetContext(ctx, &r, attemptSelect+` WHERE a.id = $1`, attemptID); err != nil {
		return err
	}
	a, err := s.attempt(ctx, tx, r)
	if err != nil {
		return err
	}
	if !a.Deadline.IsZero() && now.After(a.Deadline.Add(a.Grace)) {
		now = a.Deadline.Add(a.Grace)
	}
	return s.gradeAttempt(ctx, tx, a, now, true)
}

// gradeAttempt marks every slot not marked by hand, totals the attempt and records the
// course's completion when it now holds.
func (s *Store) gradeAttempt(ctx context.Context, tx *sqlx.Tx, a courses.Attempt, now time.Time, finish bool) error {
	marks := make([]courses.SlotMark, len(a.Slots))
	slots := make(pq.Int64Array, len(a.Slots))
	fractions := make(pq.Float64Array, len(a.Slots))
	pendings := make(pq.BoolArray, len(a.Slots))
	for i, s := range a.Slots {
		m := courses.Mark{}
		switch {
		case s.Mark != nil && !s.Mark.Pending && s.Question.Type == courses.QuestionEssay:
			m = *s.Mark // marked by hand already
		case s.Response != nil:
			m = courses.Grade(s.Question, a.Language, a.Default, *s.Response)
		default:
			m = courses.Grade(s.Question, a.Language, a.Default, courses.Response{})
		}
		marks[i] = courses.SlotMark{Points: s.Question.Points, Mark: m}
		slots[i], fractions[i], pendings[i] = int64(s.Slot), m.Fraction, m.Pending
	}
	if _, err := tx.ExecContext(ctx, `UPDATE attempt_slots s SET fraction = n.fraction, pending = n.pending
		FROM unnest($2::integer[], $3::double precision[], $4::boolean[]) AS n (slot, fraction, pending)
		WHERE s.attempt_id = $1 AND s.slot = n.slot`, a.ID, slots, fractions, pendings); err != nil {
		return err
	}
	score, maxScore, pending := courses.AttemptScore(marks)
	passed := !pending && courses.Passed(score, maxScore, a.Settings.PassMark)
	finishedAt := any(nil)
	if finish {
		finishedAt = now
	}
	if _, err := tx.ExecContext(ctx, `UPDATE quiz_attempts SET finished_at = coalesce(finished_at, $2), score = $3, max_score = $4,
		pending = $5, passed = $6 WHERE id = $1`, a.ID, finishedAt, score, maxScore, pending, passed); err != nil {
		return err
	}
	_, err := s.checkCompletion(ctx, tx, a.UserID, a.CourseID, now)
	return err
}

// lockEnrolmentOf locks the enrolment of an attempt's trainee in its course. Every path that
// finishes an attempt takes this lock before the attempt's, as StartAttempt does, so that a
// start and a finish of the same trainee never wait for each other in opposite orders.
func lockEnrolmentOf(ctx context.Context, tx *sqlx.Tx, attemptID int64) error {
	_, err := tx.ExecContext(ctx, `SELECT 1 FROM enrolments e
		WHERE (e.user_id, e.course_id) = (SELECT a.user_id, m.course_id FROM quiz_attempts a JOIN quizzes z ON z.id = a.quiz_id
			JOIN modules m ON m.id = z.module_id WHERE a.id = $1) AND e.status = 'active' FOR UPDATE OF e`, attemptID)
	return err
}

// FinishOverdue finishes every attempt whose deadline and grace have passed, with the
// answers saved, each in a transaction of its own (one that fails does not hold back the
// others, and is tried again at the next sweep). It returns how many it finished.
func (s *Store) FinishOverdue(ctx context.Context, now time.Time) (int, error) {
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM quiz_attempts
		WHERE finished_at IS NULL AND deadline IS NOT NULL AND deadline + grace_ms * interval '1 millisecond' < $1
		ORDER BY deadline`, now); err != nil {
		return 0, fmt.Errorf("store: overdue attempts: %w", err)
	}
	done := 0
	var errs []error
	for _, id := range ids {
		err := s.inTx(ctx, func(tx *sqlx.Tx) error {
			if err := lockEnrolmentOf(ctx, tx, id); err != nil {
				return err
			}
			return s.finishAttempt(ctx, tx, id, now) // idempotent: another instance may have finished it
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("attempt %d: %w", id, err))
			continue
		}
		done++
	}
	if len(errs) > 0 {
		return done, fmt.Errorf("store: finish overdue attempts: %w", errors.Join(errs...))
	}
	return done, nil
}

// MarkEssay records an instructor's mark for an essay of an attempt at a quiz of courseID,
// then totals the attempt again and records the course's completion when it now holds. The
// mark is by's, in the audit trail.
func (s *Store) MarkEssay(ctx context.Context, courseID, attemptID int64, slot int, fraction float64, by courses.Actor, now time.Time) error {
	mark, err := courses.ManualMark(fraction)
	if err != nil {
		return fmt.Errorf("store: mark essay: %w", err)
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		// The enrolment's lock before the attempt's, as every path that finishes an attempt
		// takes them (the completion the mark may bring locks the enrolment): in the other
		// order a mark and a finish of the same trainee could wait for each other.
		if err := lockEnrolmentOf(ctx, tx, attemptID); err != nil {
			return err
		}
		var r attemptRow
		if err := tx.GetContext(ctx, &r, attemptSelect+` WHERE a.id = $1 AND m.course_id = $2 FOR UPDATE OF a`, attemptID, courseID); notFound(err) {
			return courses.ErrNotFound
		} else if err != nil {
			return err
		}
		if !r.FinishedAt.Valid {
			return ErrAttemptClosed // an attempt in progress is the trainee's still
		}
		res, err := tx.ExecContext(ctx, `UPDATE attempt_slots s SET fraction = $3, pending = false, marked_by = $4, marked_at = $5
			FROM question_versions v WHERE s.attempt_id = $1 AND s.slot = $2 AND v.id = s.question_version_id AND v.body->>'type' = 'essay'`,
			attemptID, slot, mark.Fraction, nullID(by.UserID), now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return courses.ErrNotFound
		}
		if err := recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditEssayMarked, UserID: r.UserID, CourseID: courseID,
			Detail: map[string]string{"quiz": strconv.FormatInt(r.QuizID, 10), "attempt": strconv.FormatInt(attemptID, 10),
				"slot": strconv.Itoa(slot), "mark": strconv.FormatFloat(mark.Fraction*100, 'f', -1, 64) + "%"}}); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &r, attemptSelect+` WHERE a.id = $1`, attemptID); err != nil {
			return err
		}
		a, err := s.attempt(ctx, tx, r)
		if err != nil {
			return err
		}
		return s.gradeAttempt(ctx, tx, a, now, false)
	})
	if err != nil {
		return fmt.Errorf("store: mark essay of attempt %d: %w", attemptID, err)
	}
	return nil
}

// GrantExtra gives one trainee extra attempts or extra minutes at a quiz, recorded with who
// and when (and in the audit trail). Extra minutes also lengthen the attempt in progress, if any.
func (s *Store) GrantExtra(ctx context.Context, courseID, quizID, userID int64, attempts, minutes int, by courses.Actor, now time.Time) error {
	if attempts < 0 || minutes < 0 || attempts > courses.MaxQuizAttempts || minutes > 1440 || attempts+minutes == 0 {
		return fmt.Errorf("store: grant extra: %w", courses.ErrInvalid)
	}
	var lengthened []int64 // the attempts in progress given the minutes
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		lengthened = nil
		var ok bool
		if err := tx.GetContext(ctx, &ok, `SELECT EXISTS (SELECT 1 FROM quizzes z JOIN modules m ON m.id = z.module_id WHERE z.id = $1 AND m.course_id = $2)
			AND EXISTS (SELECT 1 FROM enrolments WHERE user_id = $3 AND course_id = $2)`, quizID, courseID, userID); err != nil {
			return err
		}
		if !ok {
			return courses.ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO quiz_grants (quiz_id, user_id, attempts, minutes, granted_by, granted_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, quizID, userID, attempts, minutes, by.UserID, now); err != nil {
			return err
		}
		if err := recordAudit(ctx, tx, by, courses.AuditEntry{Action: courses.AuditExtraGranted, UserID: userID, CourseID: courseID,
			Detail: map[string]string{"quiz": strconv.FormatInt(quizID, 10), "attempts": strconv.Itoa(attempts),
				"minutes": strconv.Itoa(minutes)}}); err != nil {
			return err
		}
		if minutes > 0 {
			// Not an attempt whose time is already up (it is finished with what was saved), and
			// not an untimed one whose deadline is only the close time.
			return tx.SelectContext(ctx, &lengthened, `UPDATE quiz_attempts a SET deadline = a.deadline + $3 * interval '1 minute'
				FROM quizzes z WHERE z.id = a.quiz_id AND a.quiz_id = $1 AND a.user_id = $2 AND a.finished_at IS NULL
					AND a.deadline IS NOT NULL AND $4 <= a.deadline + a.grace_ms * interval '1 millisecond'
					AND coalesce(z.settings->>'time_limit', '0') <> '0'
				RETURNING a.id`, quizID, userID, minutes, now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: grant extra at quiz %d: %w", quizID, err)
	}
	for _, id := range lengthened { // its first page shows the new deadline
		s.justSaved.drop(id)
	}
	return nil
}
