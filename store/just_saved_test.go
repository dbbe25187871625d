package store

import (
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
)

func TestTwoSubmitsBackInEitherOrderLeaveTheLaterSaveForThePageAfter(t *testing.T) {
	now := time.Now()
	saved := func(seqs ...int64) courses.Attempt {
		a := courses.Attempt{ID: 7, UserID: 3}
		for i, s := range seqs {
			a.Slots = append(a.Slots, courses.AttemptSlot{Slot: i, Seq: s})
		}
		return a
	}
	var c justSavedCache
	c.keep(saved(2, 1), now)
	c.keep(saved(1, 1), now) // the earlier submit's answer, back last
	if a, ok := c.take(7, 3, now); !ok || a.Slots[0].Seq != 2 {
		t.Fatalf("kept %+v (%v), want the later save", a.Slots, ok)
	}
	c.keep(saved(1, 1), now)
	c.keep(saved(1, 2), now)
	if a, _ := c.take(7, 3, now); a.Slots[1].Seq != 2 {
		t.Fatalf("kept %+v, want the later save", a.Slots)
	}
}
