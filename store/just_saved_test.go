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
	c.keep(saved(2, 1))
	c.keep(saved(1, 1)) // the earlier submit's answer, back last
	if a, ok := c.take(7, 3); !ok || a.Slots[0].Seq != 2 {
		t.Fatalf("kept %+v (%v), want the later save", a.Slots, ok)
	}
	c.keep(saved(1, 1))
	c.keep(saved(1, 2))
	if a, _ := c.take(7, 3); a.Slots[1].Seq != 2 {
		t.Fatalf("kept %+v, want the later save", a.Slots)
	}
}

// TestAnAttemptIsKeptAsSavedForAMomentFromItsWrite: the moment counts on the machine's clock
// from the keep (the write done), whatever the school's clock of the request said.
func TestAnAttemptIsKeptAsSavedForAMomentFromItsWrite(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	c := justSavedCache{clock: func() time.Time { return now }}
	a := courses.Attempt{ID: 7, UserID: 3}
	c.keep(a)
	now = now.Add(justSavedFor - time.Millisecond)
	if _, ok := c.take(7, 3); !ok {
		t.Fatal("not kept for its moment")
	}
	c.keep(a)
	now = now.Add(justSavedFor)
	if _, ok := c.take(7, 3); ok {
		t.Fatal("kept past its moment")
	}
	if _, ok := c.take(7, 3); ok {
		t.Fatal("given twice")
	}
}
