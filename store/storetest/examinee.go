package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Examinee is one trainee taking the exam through the app's pages, as a browser with the
// page's JavaScript does: signed in with a cookie, each answer sent to the answer-save
// endpoint with its question's sequence number, a save that fails sent again (the same
// answer, the same number) until the server answers for it. It records every answer sent and
// every one acknowledged, for Exam.Check. Requests go to the first of Bases that answers, as
// a load balancer in front of several instances sends them.
type Examinee struct {
	Email, Password string
	Bases           []string // the instances' URLs
	Slug            string
	QuizID          int64
	Lang            string        // Accept-Language
	Timeout         time.Duration // of one request; 10 s when 0
	Retry           time.Duration // the wait before a failed request goes again; 200 ms when 0

	http *http.Client
	mu   sync.Mutex
	// the attempt in progress
	attempt  int64
	path     string           // its page
	options  map[int][]string // the option ids of each slot, as the page lists them
	checked  map[int]string   // the option the page showed chosen, by slot
	seqs     map[int]int64    // the newest sequence number used for each slot
	deadline string           // as the page states it
	// what happened
	prefer      int
	userID      int64
	records     map[slotKey]*record
	shownScores map[int64]string // attempt → "score / max" as its review showed it after the finish
	statuses    map[int]int      // every answer's status, counted; 0 for no answer at all
	lastFailure error            // the last answer that got no answer at all
	requests    map[int]int      // every request's status, counted; 0 for no answer at all
}

// LastFailure is the last save that got no answer at all, or nil.
func (x *Examinee) LastFailure() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.lastFailure
}

type slotKey struct {
	attempt int64
	slot    int
}

// record is one question of one attempt: every answer sent, by sequence number, and the
// newest acknowledged.
type record struct {
	sent  map[int64]string
	acked int64
}

// Errors an examinee's step ends with.
var (
	ErrAttemptClosed = errors.New("storetest: the attempt is closed (finished or out of time)")
	ErrSignedOut     = errors.New("storetest: signed out")
	ErrRefused       = errors.New("storetest: refused")
)

// Failure is a request that got no useful answer: no answer at all (Status 0), or an error page.
type Failure struct {
	Path   string
	Status int
	Err    error
	Body   string
}

func (f *Failure) Error() string {
	if f.Status == 0 {
		return fmt.Sprintf("%s: %v", f.Path, f.Err)
	}
	return fmt.Sprintf("%s: %d %s", f.Path, f.Status, strings.TrimSpace(lastLines(f.Body, 3)))
}

// NewExaminee is the exam's examinee number i (0-based) against the instances at bases.
func (e *Exam) NewExaminee(i int, bases ...string) *Examinee {
	jar, _ := cookiejar.New(nil)
	return &Examinee{Email: e.Emails[i], Password: e.Password, Bases: bases, Slug: e.Slug, QuizID: e.QuizID, Lang: "es",
		http:    &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		records: map[slotKey]*record{}, shownScores: map[int64]string{}, statuses: map[int]int{}, requests: map[int]int{}}
}

// Response is an answer as the examinee read it.
type Response struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

// Do sends one request to the preferred instance; one that does not answer makes the next
// instance the preferred one.
func (x *Examinee) Do(parent context.Context, method, path string, form url.Values) (Response, error) {
	timeout := x.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	x.mu.Lock()
	base := x.Bases[x.prefer%len(x.Bases)]
	x.mu.Unlock()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return Response{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if x.Lang != "" {
		req.Header.Set("Accept-Language", x.Lang)
	}
	res, err := x.http.Do(req)
	if err != nil {
		x.mu.Lock()
		if x.Bases[x.prefer%len(x.Bases)] == base {
			x.prefer++
		}
		if parent.Err() == nil { // not given up by the caller: no answer in time
			x.requests[0]++
		}
		x.mu.Unlock()
		return Response{}, &Failure{Path: path, Err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	x.mu.Lock()
	if err != nil {
		x.requests[0]++
	} else {
		x.requests[res.StatusCode]++
	}
	x.mu.Unlock()
	if err != nil {
		return Response{}, &Failure{Path: path, Err: err}
	}
	return Response{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b), Header: res.Header}, nil
}

func (x *Examinee) wait(ctx context.Context) error {
	d := x.Retry
	if d == 0 {
		d = 200 * time.Millisecond
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// SignIn signs in once: nil, or why not (a Failure with the status, e.g. 503 while Redis is down).
func (x *Examinee) SignIn(ctx context.Context) error {
	r, err := x.Do(ctx, http.MethodPost, "/login", url.Values{"email": {x.Email}, "password": {x.Password}})
	if err != nil {
		return err
	}
	if r.Status != http.StatusSeeOther || strings.HasPrefix(r.Location, "/login") {
		return &Failure{Path: "/login", Status: r.Status, Body: r.Body}
	}
	return nil
}

func signedOut(r Response) bool {
	return (r.Status == http.StatusSeeOther || r.Status == http.StatusFound) && strings.HasPrefix(r.Location, "/login") ||
		r.Status == http.StatusUnauthorized
}

// until repeats step until it succeeds, signing in again whenever the sign-in was lost; an
// error that is neither a Failure nor ErrSignedOut ends it, as does ctx.
func (x *Examinee) until(ctx context.Context, step func() error) error {
	for {
		err := step()
		var f *Failure
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrSignedOut):
			if err := x.SignIn(ctx); err != nil && ctx.Err() == nil {
				if err := x.wait(ctx); err != nil {
					return err
				}
			}
			continue
		case errors.As(err, &f):
		default:
			return err
		}
		if err := x.wait(ctx); err != nil {
			return fmt.Errorf("%w (last: %v)", err, f)
		}
	}
}

// Begin signs in and starts (or resumes) the attempt, retrying through failures until ctx ends.
// An attempt found overdue, which its page then finishes, is followed by a new one.
func (x *Examinee) Begin(ctx context.Context) error {
	if err := x.until(ctx, func() error { return x.SignIn(ctx) }); err != nil {
		return err
	}
	return x.until(ctx, func() error {
		err := x.Start(ctx)
		if errors.Is(err, ErrAttemptClosed) {
			return &Failure{Path: "start", Err: err}
		}
		return err
	})
}

var (
	attemptRe  = regexp.MustCompile(`^/courses/[^/]+/attempts/([0-9]+)$`)
	optionRe   = regexp.MustCompile(`name="q([0-9]+)" value="([^"]+)"( checked)?`)
	seqRe      = regexp.MustCompile(`data-slot="([0-9]+)" data-seq="([0-9]+)"`)
	deadlineRe = regexp.MustCompile(`id="deadline"[^>]*>[^<]*<time datetime="([^"]+)"`)
	scoreRe    = regexp.MustCompile(`<dd>([0-9.e+-]+ / [0-9.e+-]+) \(`)
)

// Start starts an attempt, or continues the one in progress, once, and reads its page.
func (x *Examinee) Start(ctx context.Context) error {
	path := fmt.Sprintf("/courses/%s/quizzes/%d/attempts", x.Slug, x.QuizID)
	r, err := x.Do(ctx, http.MethodPost, path, url.Values{})
	if err != nil {
		return err
	}
	if signedOut(r) {
		return ErrSignedOut
	}
	m := attemptRe.FindStringSubmatch(r.Location)
	if r.Status != http.StatusSeeOther || m == nil {
		if r.Status == http.StatusSeeOther {
			return fmt.Errorf("%w: start went to %s", ErrRefused, r.Location)
		}
		return &Failure{Path: path, Status: r.Status, Body: r.Body}
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return x.load(ctx, id, r.Location)
}

// load reads the attempt's page: its options, sequence numbers and deadline.
func (x *Examinee) load(ctx context.Context, id int64, path string) error {
	r, err := x.Do(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	if signedOut(r) {
		return ErrSignedOut
	}
	if r.Status == http.StatusSeeOther && strings.HasSuffix(r.Location, "/review") {
		return ErrAttemptClosed
	}
	if r.Status != http.StatusOK {
		return &Failure{Path: path, Status: r.Status, Body: r.Body}
	}
	options, checked := map[int][]string{}, map[int]string{}
	for _, m := range optionRe.FindAllStringSubmatch(r.Body, -1) {
		slot, _ := strconv.Atoi(m[1])
		options[slot] = append(options[slot], m[2])
		if m[3] != "" {
			checked[slot] = m[2]
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.attempt != id {
		x.seqs = map[int]int64{}
	}
	x.attempt, x.path, x.options, x.checked = id, path, options, checked
	for _, m := range seqRe.FindAllStringSubmatch(r.Body, -1) {
		slot, _ := strconv.Atoi(m[1])
		seq, _ := strconv.ParseInt(m[2], 10, 64)
		x.seqs[slot] = max(x.seqs[slot], seq) // the page's, or a newer one this examinee sent
	}
	if m := deadlineRe.FindStringSubmatch(r.Body); m != nil {
		x.deadline = m[1]
	}
	return nil
}

// Attempt is the attempt in progress: its id, its page's path and its deadline as the page
// stated it.
func (x *Examinee) Attempt() (id int64, path, deadline string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.attempt, x.path, x.deadline
}

// Checked is the option the attempt's page showed chosen for each slot, when last read.
func (x *Examinee) Checked() map[int]string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.checked
}

// LastAcknowledged is, for each slot of the attempt in progress, the option of the newest
// answer the server acknowledged.
func (x *Examinee) LastAcknowledged() map[int]string {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := map[int]string{}
	for k, r := range x.records {
		if k.attempt == x.attempt && r.acked > 0 {
			out[k.slot] = r.sent[r.acked]
		}
	}
	return out
}

// Options are the option ids of each slot of the attempt in progress.
func (x *Examinee) Options() map[int][]string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.options
}

// Answer chooses the option the page calls id for slot:
// the answer gets the next sequence number and is sent, and sent again after every failure,
// until the server acknowledges it or says the attempt is closed (ErrAttemptClosed), or ctx
// ends. A sign-in lost on the way is made again.
func (x *Examinee) Answer(ctx context.Context, slot int, id string) error {
	x.mu.Lock()
	if x.attempt == 0 || len(x.options[slot]) == 0 {
		x.mu.Unlock()
		return fmt.Errorf("storetest: %s has no attempt or no slot %d", x.Email, slot)
	}
	x.seqs[slot]++
	seq, attempt, path := x.seqs[slot], x.attempt, x.path
	key := slotKey{attempt, slot}
	rec := x.records[key]
	if rec == nil {
		rec = &record{sent: map[int64]string{}}
		x.records[key] = rec
	}
	rec.sent[seq] = id
	x.mu.Unlock()
	form := url.Values{fmt.Sprintf("q%d-shown", slot): {"1"}, fmt.Sprintf("q%d", slot): {id}, fmt.Sprintf("seq%d", slot): {strconv.FormatInt(seq, 10)}}
	return x.until(ctx, func() error {
		r, err := x.Do(ctx, http.MethodPost, path+"/answers", form)
		if ctx.Err() != nil {
			return ctx.Err() // given up by the caller: no answer to count
		}
		x.mu.Lock()
		x.statuses[r.Status]++
		if err != nil {
			x.lastFailure = err
		}
		x.mu.Unlock()
		if err != nil {
			return err
		}
		if signedOut(r) {
			return ErrSignedOut
		}
		var body struct {
			Saved  bool             `json:"saved"`
			Closed bool             `json:"closed"`
			Stale  map[string]int64 `json:"stale"`
		}
		json := strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") && jsonUnmarshal(r.Body, &body) == nil
		switch {
		case json && r.Status == http.StatusOK && body.Saved:
			x.mu.Lock()
			rec.acked = max(rec.acked, seq)
			x.mu.Unlock()
			return nil
		case json && r.Status == http.StatusOK && body.Stale != nil:
			// A newer answer is kept (this one's earlier try was saved after all, unanswered):
			// the page sends its answer again, numbered after the one kept.
			x.mu.Lock()
			if kept := body.Stale[strconv.Itoa(slot)]; kept >= seq {
				x.seqs[slot] = max(x.seqs[slot], kept)
				x.seqs[slot]++
				seq = x.seqs[slot]
				rec.sent[seq] = id
				form.Set(fmt.Sprintf("seq%d", slot), strconv.FormatInt(seq, 10))
			}
			x.mu.Unlock()
			return &Failure{Path: path + "/answers", Status: r.Status, Body: r.Body}
		case r.Status == http.StatusConflict:
			return ErrAttemptClosed
		}
		return &Failure{Path: path + "/answers", Status: r.Status, Body: r.Body}
	})
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// Finish finishes the attempt in progress, retrying through failures, and reads the score its
// review shows.
func (x *Examinee) Finish(ctx context.Context) error {
	x.mu.Lock()
	attempt, path := x.attempt, x.path
	x.mu.Unlock()
	if attempt == 0 {
		return errors.New("storetest: no attempt to finish")
	}
	err := x.until(ctx, func() error {
		r, err := x.Do(ctx, http.MethodPost, path+"/finish", url.Values{})
		if err != nil {
			return err
		}
		if signedOut(r) {
			return ErrSignedOut
		}
		if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/review") {
			return &Failure{Path: path + "/finish", Status: r.Status, Body: r.Body}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return x.until(ctx, func() error {
		r, err := x.Do(ctx, http.MethodGet, path+"/review", nil)
		if err != nil {
			return err
		}
		if signedOut(r) {
			return ErrSignedOut
		}
		m := scoreRe.FindStringSubmatch(r.Body)
		if r.Status != http.StatusOK || m == nil {
			return &Failure{Path: path + "/review", Status: r.Status, Body: r.Body}
		}
		x.mu.Lock()
		x.shownScores[attempt] = m[1]
		x.attempt, x.path = 0, ""
		x.mu.Unlock()
		return nil
	})
}

// Statuses counts the answers' statuses (0: no answer at all), saves tried again included.
func (x *Examinee) Statuses() map[int]int {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := map[int]int{}
	for k, v := range x.statuses {
		out[k] = v
	}
	return out
}

// Requests counts every request's status (0: no answer at all), whatever the page.
func (x *Examinee) Requests() map[int]int {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := map[int]int{}
	for k, v := range x.requests {
		out[k] = v
	}
	return out
}

// Acknowledged is how many answers the server acknowledged, by attempt and slot: the newest
// sequence number of each.
func (x *Examinee) Acknowledged() map[int64]map[int]int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := map[int64]map[int]int64{}
	for k, r := range x.records {
		if r.acked > 0 {
			if out[k.attempt] == nil {
				out[k.attempt] = map[int]int64{}
			}
			out[k.attempt][k.slot] = r.acked
		}
	}
	return out
}
