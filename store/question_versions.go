package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// versionCache keeps the question versions attempts show. A version is never changed (an
// edit makes a new one), so a version kept is right forever, on every instance: an attempt's
// pages read their slots' version ids and decode each version's JSON once per instance, not
// once per page. Bounded: past maxVersions it starts again empty.
type versionCache struct {
	mu       sync.RWMutex
	versions map[int64]courses.Question
}

// maxVersions is about 200 quizzes of 50 questions: a few megabytes.
const maxVersions = 10_000

// questionsOf gives the questions of versions ids, read through q for those not kept yet.
func (s *Store) questionsOf(ctx context.Context, q sqlx.QueryerContext, ids []int64) (map[int64]courses.Question, error) {
	out := make(map[int64]courses.Question, len(ids))
	var missing pq.Int64Array
	s.versions.mu.RLock()
	for _, id := range ids {
		if v, ok := s.versions.versions[id]; ok {
			out[id] = v
		} else {
			missing = append(missing, id)
		}
	}
	s.versions.mu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	var rows []struct {
		ID   int64  `db:"id"`
		Body []byte `db:"body"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT id, body FROM question_versions WHERE id = ANY ($1)`, missing); err != nil {
		return nil, err
	}
	read := make(map[int64]courses.Question, len(rows))
	for _, r := range rows {
		var question courses.Question
		if err := json.Unmarshal(r.Body, &question); err != nil {
			return nil, fmt.Errorf("question version %d: %w", r.ID, err)
		}
		read[r.ID] = question
	}
	for _, id := range missing {
		if _, ok := read[id]; !ok {
			return nil, fmt.Errorf("question version %d: %w", id, courses.ErrNotFound)
		}
	}
	s.versions.mu.Lock()
	if s.versions.versions == nil || len(s.versions.versions)+len(read) > maxVersions {
		s.versions.versions = make(map[int64]courses.Question, len(read))
	}
	for id, question := range read {
		s.versions.versions[id] = question
		out[id] = question
	}
	s.versions.mu.Unlock()
	return out, nil
}

// shapeCache keeps the attempts in progress this instance has read, for AttemptShape.
// Bounded like versionCache. An exam day keeps one per examinee, so each is kept packed
// (keptShape): about 1 KB instead of the 3.6 KB of the attempt decoded, most of which were
// its slots' copies of their questions, which versionCache holds anyway. A shape whose
// versions that cache no longer holds (it starts again empty past maxVersions) is not kept any
// more: its attempt is read whole, and kept again, on its next page.
type shapeCache struct {
	mu       sync.RWMutex
	attempts map[int64]keptShape
}

// keptShape is an attempt as shapeCache keeps it: the attempt without its slots, and the
// slots' version ids, sequence numbers, options' orders and ids, each kind in one array.
// The slots' answers and marks are not kept: a shape's may be out of date anyway (see
// AttemptShape), and what a save checks the store checks again.
type keptShape struct {
	attempt  courses.Attempt // Slots nil
	slots    []int32
	versions []int64
	seqs     []int64
	orders   []int32  // every slot's Order, one slot after another
	orderEnd []uint32 // where each slot's ends in orders (and its option ids in idEnd)
	ids      string   // every option id, one after another
	idEnd    []uint32 // where each ends in ids
}

const maxShapes = 20_000 // an exam day's attempts on one instance

func (c *shapeCache) keep(a courses.Attempt) {
	k := keptShape{attempt: a, slots: make([]int32, len(a.Slots)), versions: make([]int64, len(a.Slots)),
		seqs: make([]int64, len(a.Slots)), orderEnd: make([]uint32, len(a.Slots))}
	k.attempt.Slots = nil
	n, size := 0, 0
	for _, sl := range a.Slots {
		n += len(sl.Order)
		for _, id := range sl.OptionIDs {
			size += len(id)
		}
	}
	k.orders, k.idEnd = make([]int32, 0, n), make([]uint32, 0, n)
	ids := make([]byte, 0, size)
	for i, sl := range a.Slots {
		if len(sl.OptionIDs) != len(sl.Order) {
			return // not an attempt's shape: nothing kept, and it is read again
		}
		k.slots[i], k.versions[i], k.seqs[i] = int32(sl.Slot), sl.VersionID, sl.Seq
		for j, o := range sl.Order {
			k.orders = append(k.orders, int32(o))
			ids = append(ids, sl.OptionIDs[j]...)
			k.idEnd = append(k.idEnd, uint32(len(ids)))
		}
		k.orderEnd[i] = uint32(len(k.orders))
	}
	k.ids = string(ids)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.attempts == nil || len(c.attempts) >= maxShapes {
		c.attempts = make(map[int64]keptShape)
	}
	c.attempts[a.ID] = k
}

// get unpacks attempt id, its slots' questions from versions; false when it is not kept, or a
// version no longer is.
func (c *shapeCache) get(id int64, versions *versionCache) (courses.Attempt, bool) {
	c.mu.RLock()
	k, ok := c.attempts[id]
	c.mu.RUnlock()
	if !ok {
		return courses.Attempt{}, false
	}
	a := k.attempt
	a.Slots = make([]courses.AttemptSlot, len(k.versions))
	orders, ids := make([]int, len(k.orders)), make([]string, len(k.idEnd))
	for i, o := range k.orders {
		orders[i] = int(o)
	}
	from := uint32(0)
	for i, end := range k.idEnd {
		ids[i] = k.ids[from:end]
		from = end
	}
	versions.mu.RLock()
	defer versions.mu.RUnlock()
	start := uint32(0)
	for i, v := range k.versions {
		q, ok := versions.versions[v]
		if !ok {
			return courses.Attempt{}, false
		}
		end := k.orderEnd[i]
		a.Slots[i] = courses.AttemptSlot{Slot: int(k.slots[i]), VersionID: v, Question: q, Seq: k.seqs[i],
			Order: orders[start:end:end], OptionIDs: ids[start:end:end]}
		start = end
	}
	return a, true
}

// titlesCache decodes a quiz's titles once for every attempt kept of it: an exam's 10,000
// attempts in progress each held a copy of the same map (about 500 bytes). The maps it gives
// are shared, and read only. Bounded like shapeCache.
type titlesCache struct {
	mu     sync.Mutex
	titles map[string]map[string]string // by their JSON
}

func (c *titlesCache) of(raw []byte) (map[string]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.titles[string(raw)]; ok {
		return t, nil
	}
	var t map[string]string
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, err
	}
	if c.titles == nil || len(c.titles) >= 1000 {
		c.titles = make(map[string]map[string]string)
	}
	c.titles[string(raw)] = t
	return t, nil
}

// justSavedCache keeps, for a moment and for one read, the attempts a page's submit has
// just saved: see AttemptAsSaved. Bounded like shapeCache. Its moment is on the machine's
// clock from when the write was done, not on the school's clock of the request: a start or
// a submit that waited for a connection on a busy exam morning still has its moment for the
// page after, and a test that moves the school's clock does not move it.
type justSavedCache struct {
	mu       sync.Mutex
	attempts map[int64]justSaved
	clock    func() time.Time // time.Now; a test's own
}

type justSaved struct {
	attempt courses.Attempt
	until   time.Time
}

// justSavedFor is how long a submit's attempt waits for the page it redirects to: a
// browser follows a redirect at once.
const justSavedFor = 5 * time.Second

// justStartedFor is how long a start's attempt waits for its first page: longer, because on
// an exam morning that page waits behind the other examinees' starts (the bench's exam: 6 s
// in the middle, 8.6 s for the slowest), and each one that missed its moment read the attempt
// again, adding to the queue it had waited in. An attempt just started holds no answer: what
// the page could miss in that time is only a save, a finish or extra time given through
// another instance (a second tab the balancer sent elsewhere), and any write through this one
// forgets it. Twice the slowest wait measured, and no more: a page shown without a save made
// elsewhere would, once submitted, number its empty answers after that save.
const justStartedFor = 15 * time.Second

func (c *justSavedCache) now() time.Time {
	if c.clock != nil {
		return c.clock()
	}
	return time.Now()
}

// keep keeps a for d (justSavedFor, justStartedFor), unless the attempt kept is of a later
// save: two submits of one attempt at once (two tabs) may come back in either order.
// Sequence numbers only grow, so the later save's slots add up to at least the earlier one's.
func (c *justSavedCache) keep(a courses.Attempt, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.attempts == nil || len(c.attempts) >= maxShapes {
		c.attempts = make(map[int64]justSaved)
	}
	if old, ok := c.attempts[a.ID]; ok && now.Before(old.until) && seqSum(old.attempt) > seqSum(a) {
		return
	}
	c.attempts[a.ID] = justSaved{attempt: a, until: now.Add(d)}
}

func seqSum(a courses.Attempt) int64 {
	var n int64
	for _, s := range a.Slots {
		n += s.Seq
	}
	return n
}

// drop forgets the attempt kept, if any: a write to it that keeps nothing in its place.
func (c *justSavedCache) drop(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.attempts, id)
}

func (c *justSavedCache) take(id, userID int64) (courses.Attempt, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.attempts[id]
	if !ok || e.attempt.UserID != userID {
		return courses.Attempt{}, false
	}
	delete(c.attempts, id)
	return e.attempt, c.now().Before(e.until)
}
