package store

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The start of an attempt, in two prepared statements (issue 12: an exam's trainees all start
// within seconds). The first reads everything the start decides on, one snapshot: the
// enrolment, the attempt in progress, the attempts used and granted, and the course's version;
// and, only when this instance keeps no draw of the quiz under that version (drawCache), the
// quiz with its items and the bank's questions it draws from (ids and current versions,
// without their bodies: an instance keeps the versions it has read, decoded, in
// versionCache), through aula_quiz_draw (migration 00018). The second writes the attempt and
// its slots together, unless the trainee is no longer enrolled or another start got there
// first: the attempt's number and "one attempt in progress" are unique keys, so of two starts
// that read the same count only one writes, and the other goes the locked way
// (startAttemptLocked), which then finds the attempt in progress. The attempts limit so holds
// without a lock in the common case. The attempt so written is kept for the page the start
// redirects to (AttemptAsSaved), which then reads nothing.

// startReadColumns is the start's read: $1 user, $2 course (its id, or its slug: see
// startReadBySlugQuery), $3 quiz, $4 the language the trainee reads the course in, the
// attempt's unless the course has no texts in it, $5 the course's version of the draw this
// instance keeps (0: none), whose draw then comes back NULL.
func startReadColumns(course string) string {
	return `
	WITH c AS (SELECT id, slug, status, default_language FROM courses WHERE ` + course + `)
	SELECT EXISTS (SELECT 1 FROM enrolments WHERE user_id = $1 AND course_id = c.id AND status = 'active') AS enrolled,
		c.id AS course_id, c.slug, c.status, c.default_language,
		CASE WHEN EXISTS (SELECT 1 FROM course_texts t WHERE t.course_id = c.id AND t.language = $4) THEN $4 ELSE c.default_language END AS language,
		coalesce(v.version, 0) AS version,
		CASE WHEN v.version = $5 THEN NULL ELSE aula_quiz_draw($3, c.id) END AS draw,
		o.id AS open_id, o.deadline AS open_deadline, coalesce(o.grace_ms, 0) AS open_grace_ms,
		(SELECT count(*) FROM quiz_attempts WHERE quiz_id = $3 AND user_id = $1) AS attempts,
		g.extra, g.minutes
	FROM c
	LEFT JOIN course_versions v ON v.course_id = c.id
	LEFT JOIN quiz_attempts o ON o.quiz_id = $3 AND o.user_id = $1 AND o.finished_at IS NULL
	CROSS JOIN LATERAL (SELECT coalesce(sum(attempts), 0) AS extra, coalesce(sum(minutes), 0) AS minutes
		FROM quiz_grants WHERE quiz_id = $3 AND user_id = $1) g`
}

var (
	startReadQuery = startReadColumns("id = $2")
	// startReadBySlugQuery is the start from the quiz's page, which names the course by its
	// slug: the read also checks the course and the trainee's enrolment, which the page's
	// POST otherwise read in a statement of its own (the course page's).
	startReadBySlugQuery = startReadColumns("slug = $2")
)

// startWriteQuery is the start's write: $1 quiz, $2 user, $3 number, $4 language, $5 start,
// $6 deadline, $7 grace (ms), $8 navigation, $9 per page, $10 course, $11 slots, $12 their
// versions, $13 option orders, $14 option ids (both as array literals). It returns the
// attempt's id, or 0 when it wrote nothing.
const startWriteQuery = `
	WITH a AS (
		INSERT INTO quiz_attempts (quiz_id, user_id, number, language, started_at, deadline, grace_ms, navigation, per_page)
		SELECT $1::bigint, $2::bigint, $3::integer, $4::text, $5::timestamptz, $6::timestamptz, $7::bigint, $8::text, $9::integer
		WHERE EXISTS (SELECT 1 FROM enrolments WHERE user_id = $2 AND course_id = $10 AND status = 'active')
		ON CONFLICT DO NOTHING
		RETURNING id
	), slots AS (
		INSERT INTO attempt_slots (attempt_id, slot, question_version_id, option_order, option_ids)
		SELECT a.id, s.slot, s.version, s.option_order::integer[], s.option_ids::text[]
		FROM a, unnest($11::integer[], $12::bigint[], $13::text[], $14::text[]) AS s (slot, version, option_order, option_ids)
	)
	SELECT coalesce((SELECT id FROM a), 0)`

type startRead struct {
	Enrolled     bool           `db:"enrolled"`
	CourseID     int64          `db:"course_id"`
	Slug         string         `db:"slug"`
	Status       courses.Status `db:"status"`
	Default      string         `db:"default_language"`
	Language     string         `db:"language"`
	Version      int64          `db:"version"`
	Draw         []byte         `db:"draw"`
	OpenID       sql.NullInt64  `db:"open_id"`
	OpenDeadline sql.NullTime   `db:"open_deadline"`
	OpenGraceMS  int64          `db:"open_grace_ms"`
	Attempts     int            `db:"attempts"`
	Extra        int            `db:"extra"`
	Minutes      int            `db:"minutes"`
}

// StartAttempt gives userID their attempt in progress at a quiz of courseID, or starts a new
// one when the quiz is open, the trainee is enrolled and has attempts left; never more
// attempts than allowed, whatever starts run at once (a double click, two devices). An
// attempt in progress whose time is up is finished first. A new attempt is in lang, or in
// the course's default language where the course has no texts in lang (as the course's pages
// choose). It returns the attempt's id.
func (s *Store) StartAttempt(ctx context.Context, userID, courseID, quizID int64, lang string, now time.Time) (int64, error) {
	return s.start(ctx, startReadQuery, courseID, userID, quizID, lang, now)
}

// ErrNotPublished is StartAttemptAt's answer for a course that is not published: its editors
// are the only ones who see it, and the caller checks them the course page's way.
var ErrNotPublished = fmt.Errorf("the course is not published: %w", courses.ErrNotFound)

// StartAttemptAt is StartAttempt at a published course named by its slug, in the language
// the trainee reads it in: want, or the course's default where the course has no texts in
// want. The read that checks the course and the enrolment is the start's own, so that a
// start from the quiz's page costs one statement less. It answers ErrNotPublished for a
// course that is not published, and ErrNotEnroled for a trainee not active in it.
func (s *Store) StartAttemptAt(ctx context.Context, userID int64, slug string, quizID int64, want string, now time.Time) (int64, error) {
	return s.start(ctx, startReadBySlugQuery, slug, userID, quizID, want, now)
}

func (s *Store) start(ctx context.Context, read string, course any, userID, quizID int64, lang string, now time.Time) (int64, error) {
	id, r, err := s.startAttempt(ctx, read, course, userID, quizID, lang, now)
	if err != nil {
		return 0, fmt.Errorf("store: start attempt at quiz %d: %w", quizID, err)
	}
	if id != 0 {
		return id, nil
	}
	id, err = s.startAttemptLocked(ctx, userID, r.CourseID, quizID, r.Language, now)
	if isUniqueViolation(err) {
		// A two-statement start took the number (or the one place in progress) while this one
		// waited for the lock, e.g. behind the finish of an overdue attempt: this one then finds
		// that attempt in progress and gives it, as a double click does.
		id, err = s.startAttemptLocked(ctx, userID, r.CourseID, quizID, r.Language, now)
	}
	return id, err
}

// startAttempt is the start in two statements; 0 means it has to go the locked way, with
// the course and the language the read found.
func (s *Store) startAttempt(ctx context.Context, read string, course any, userID, quizID int64, want string, now time.Time) (int64, startRead, error) {
	var r startRead
	kept := s.draws.get(quizID)
	if err := s.hotGet(ctx, &r, read, userID, course, quizID, want, kept.version); notFound(err) {
		return 0, r, fmt.Errorf("course %v: %w", course, courses.ErrNotFound)
	} else if err != nil {
		return 0, r, err
	}
	courseID, lang := r.CourseID, r.Language
	switch {
	case read == startReadBySlugQuery && r.Status != courses.StatusPublished:
		return 0, r, ErrNotPublished
	case !r.Enrolled:
		return 0, r, ErrNotEnroled
	}
	d, err := s.draws.of(quizID, kept, r)
	if err != nil {
		return 0, r, err
	}
	switch {
	case r.OpenID.Valid && !courses.Overdue(r.OpenDeadline.Time, time.Duration(r.OpenGraceMS)*time.Millisecond, now):
		return r.OpenID.Int64, r, nil
	case r.OpenID.Valid:
		return 0, r, nil // finished first, under the enrolment's lock
	}
	q := d.quiz
	if err := courses.QuizOpen(q.Settings, now); err != nil {
		return 0, r, err
	}
	if !courses.CanStart(q.Settings, r.Attempts, r.Extra) {
		return 0, r, ErrNoAttemptsLeft
	}
	bank := d.bank
	now = now.Round(time.Microsecond) // as PostgreSQL keeps it, for the attempt kept below
	p, err := s.planAttempt(ctx, s.db, q, bank, time.Duration(r.Minutes)*time.Minute, now)
	if err != nil {
		return 0, r, err
	}
	var id int64
	if err := s.durableGet(ctx, &id, startWriteQuery, q.ID, userID, r.Attempts+1, lang, now, nullTimeValue(p.deadline),
		p.settings.Grace.Milliseconds(), string(p.settings.Navigation), p.settings.PerPage, courseID,
		p.slots, p.versions, pq.StringArray(p.orders), pq.StringArray(p.ids)); err != nil {
		return 0, r, err
	}
	if id == 0 {
		return 0, r, nil
	}
	// The titles kept are shared with the quiz's other attempts (s.titles decoded the same bytes).
	titles, err := s.titles.of(d.row.Titles)
	if err != nil {
		titles = q.Titles
	}
	a := courses.Attempt{ID: id, QuizID: q.ID, CourseID: courseID, UserID: userID, Number: r.Attempts + 1, Language: lang,
		Default: r.Default, StartedAt: now, Deadline: p.deadline, Grace: p.settings.Grace, Navigation: p.settings.Navigation,
		PerPage: p.settings.PerPage, Slug: r.Slug, QuizTitles: titles, Settings: q.Settings, Slots: p.attemptSlots}
	s.skeletons.keep(a)
	s.justSaved.keep(a, justStartedFor)
	return id, r, nil
}

// drawCache keeps, by quiz, what its starts draw from (see the start's statements above),
// under the course's version it was read with: the start's read sends that version and gets
// the draw again only when the course's is another (every write to the quiz, its items or
// the course's bank moves it: migrations 00008 and 00018). So an edit is seen by the next
// start on every instance, as without it. Bounded: past maxDraws it starts again empty.
type drawCache struct {
	mu    sync.Mutex
	draws map[int64]quizDraw
}

// quizDraw is a quiz as its starts read it, decoded once: shared by every start, never changed.
type quizDraw struct {
	courseID, version int64
	row               quizRow
	quiz              courses.Quiz
	bank              []bankQuestion
}

// maxDraws is about a thousand quizzes of 50 questions: under a megabyte.
const maxDraws = 1000

func (c *drawCache) get(quizID int64) quizDraw {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.draws[quizID]
}

// of is quizID's draw as the start's read r found it: the one kept, when r's version is kept's,
// or the one r read, which is then kept. A quiz that is not the course's is not found.
func (c *drawCache) of(quizID int64, kept quizDraw, r startRead) (quizDraw, error) {
	if r.Draw == nil {
		if kept.version != 0 && kept.version == r.Version && kept.courseID == r.CourseID {
			return kept, nil
		}
		return quizDraw{}, fmt.Errorf("quiz %d: %w", quizID, courses.ErrNotFound)
	}
	var j struct {
		ID       int64           `json:"id"`
		ModuleID int64           `json:"module_id"`
		Key      string          `json:"key"`
		Position int             `json:"position"`
		Titles   json.RawMessage `json:"titles"`
		Settings json.RawMessage `json:"settings"`
		Items    json.RawMessage `json:"items"`
		Bank     struct {
			IDs        []int64 `json:"ids"`
			Categories []int64 `json:"categories"`
			Versions   []int64 `json:"versions"`
		} `json:"bank"`
	}
	if err := json.Unmarshal(r.Draw, &j); err != nil {
		return quizDraw{}, fmt.Errorf("quiz %d draw: %w", quizID, err)
	}
	if len(j.Bank.Categories) != len(j.Bank.IDs) || len(j.Bank.Versions) != len(j.Bank.IDs) {
		return quizDraw{}, fmt.Errorf("quiz %d draw: a bank of %d ids, %d categories, %d versions", quizID,
			len(j.Bank.IDs), len(j.Bank.Categories), len(j.Bank.Versions))
	}
	d := quizDraw{courseID: r.CourseID, version: r.Version, row: quizRow{ID: j.ID, ModuleID: j.ModuleID, Key: j.Key, Position: j.Position,
		Titles: j.Titles, Settings: j.Settings, Items: j.Items}, bank: make([]bankQuestion, len(j.Bank.IDs))}
	for i, id := range j.Bank.IDs {
		d.bank[i] = bankQuestion{ID: id, CategoryID: j.Bank.Categories[i], VersionID: j.Bank.Versions[i]}
	}
	var err error
	if d.quiz, err = d.row.quiz(); err != nil {
		return quizDraw{}, err
	}
	if r.Version == 0 {
		return d, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.draws == nil || len(c.draws) >= maxDraws {
		c.draws = make(map[int64]quizDraw)
	}
	c.draws[quizID] = d
	return d, nil
}

// bankQuestion is a current question of the bank an attempt may draw.
type bankQuestion struct {
	ID         int64 `db:"id"`
	CategoryID int64 `db:"category_id"`
	VersionID  int64 `db:"version_id"`
}

// attemptPlan is an attempt drawn, before it is written.
type attemptPlan struct {
	settings        courses.QuizSettings // the quiz's, with the trainee's extra time
	deadline        time.Time
	slots, versions pq.Int64Array
	orders, ids     []string // array literals
	attemptSlots    []courses.AttemptSlot
}

// planAttempt draws an attempt's questions from the bank's current versions (their bodies
// read through q when this instance has not kept them), orders each question's options and
// gives them opaque ids.
func (s *Store) planAttempt(ctx context.Context, q sqlx.QueryerContext, quiz courses.Quiz, bank []bankQuestion, extra time.Duration, now time.Time) (attemptPlan, error) {
	pools := map[int64][]int64{}
	byID := map[int64]int{}
	for i, b := range bank {
		pools[b.CategoryID] = append(pools[b.CategoryID], b.ID)
		byID[b.ID] = i
	}
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		return attemptPlan{}, err
	}
	rng := rand.New(rand.NewChaCha8(seed))
	drawn, err := courses.Draw(quiz.Items, pools, rng)
	if err != nil {
		return attemptPlan{}, fmt.Errorf("%v: %w", err, ErrTooFewQuestions)
	}
	p := attemptPlan{settings: quiz.Settings, slots: make(pq.Int64Array, 0, len(drawn)), versions: make(pq.Int64Array, 0, len(drawn)),
		orders: make([]string, 0, len(drawn)), ids: make([]string, 0, len(drawn)), attemptSlots: make([]courses.AttemptSlot, 0, len(drawn))}
	if p.settings.TimeLimit > 0 { // extra time lengthens a time limit; it never makes an untimed quiz timed
		p.settings.TimeLimit += extra
	}
	p.deadline = courses.Deadline(now, p.settings)
	versions := make([]int64, len(drawn))
	for i, qid := range drawn {
		at, ok := byID[qid]
		if !ok { // a fixed question deleted since the quiz's items were read
			return attemptPlan{}, fmt.Errorf("question %d: %w", qid, ErrTooFewQuestions)
		}
		versions[i] = bank[at].VersionID
	}
	questions, err := s.questionsOf(ctx, q, versions)
	if err != nil {
		return attemptPlan{}, err
	}
	for i, v := range versions {
		question := questions[v]
		order := courses.OptionOrder(question, p.settings.ShuffleOptions, rng)
		optionIDs, err := courses.NewOptionIDs(len(order), crand.Reader)
		if err != nil {
			return attemptPlan{}, err
		}
		p.slots = append(p.slots, int64(i))
		p.versions = append(p.versions, v)
		o, _ := pq.Array(intsToInt64(order)).Value()
		oi, _ := pq.Array(optionIDs).Value()
		p.orders = append(p.orders, fmt.Sprint(o))
		p.ids = append(p.ids, fmt.Sprint(oi))
		p.attemptSlots = append(p.attemptSlots, courses.AttemptSlot{Slot: i, VersionID: v, Question: question, Order: order, OptionIDs: optionIDs})
	}
	return p, nil
}
