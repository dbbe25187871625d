package store

import (
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
)

func TestTwoSubmitsBackInEitherOrderLeaveTheLaterSaveForThePageAfter(t *testing.T) {
	saved := func(seqs ...int64) courses.Attempt {
		a := courses.Attempt{ID: 7, UserID: 3}
		for i, s := range seqs {
			a.Slots = append(a.Slots, courses.AttemptSlot{Slot: i, Seq: s})
		}
		return a
	}
	var c justSavedCache
	c.keep(saved(2, 1), justSavedFor)
	c.keep(saved(1, 1), justSavedFor) // the earlier submit's answer, back last
	if a, ok := c.take(7, 3); !ok || a.Slots[0].Seq != 2 {
		t.Fatalf("kept %+v (%v), want the later save", a.Slots, ok)
	}
	c.keep(saved(1, 1), justSavedFor)
	c.keep(saved(1, 2), justSavedFor)
	if a, _ := c.take(7, 3); a.Slots[1].Seq != 2 {
		t.Fatalf("kept %+v, want the later save", a.Slots)
	}
}

// TestAnAttemptIsKeptAsSavedForAMomentFromItsWrite: the moment counts on the machine's clock
// from the keep (the write done), whatever the school's clock of the request said; a start's
// moment is longer than a submit's, its page waiting behind an exam's other starts.
func TestAnAttemptIsKeptAsSavedForAMomentFromItsWrite(t *testing.T) {
	for _, c := range []struct {
		name   string
		moment time.Duration
		want   time.Duration
	}{
		{"a submit's", justSavedFor, 5 * time.Second},
		{"a start's", justStartedFor, 15 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.moment != c.want {
				t.Fatalf("%v, want %v", c.moment, c.want)
			}
			now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
			cache := justSavedCache{clock: func() time.Time { return now }}
			a := courses.Attempt{ID: 7, UserID: 3}
			cache.keep(a, c.moment)
			now = now.Add(c.moment - time.Millisecond)
			if _, ok := cache.take(7, 3); !ok {
				t.Fatal("not kept for its moment")
			}
			cache.keep(a, c.moment)
			now = now.Add(c.moment)
			if _, ok := cache.take(7, 3); ok {
				t.Fatal("kept past its moment")
			}
			if _, ok := cache.take(7, 3); ok {
				t.Fatal("given twice")
			}
		})
	}
}
