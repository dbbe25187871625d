package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store/storetest"
	"github.com/lib/pq"
)

// An attempt's slots are checked once per statement (migration 00018) where two foreign keys
// checked each slot alone: the rules stay the foreign keys' own. A slot names an attempt and
// a question version that exist, keeps them, goes with its attempt, and keeps its version.
func TestAnAttemptsSlotsKeepTheirKeysChecked(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	co, quizID, trainee := quizFixture(t, st, courses.DefaultQuizSettings())
	attempt := started(t, st, co, quizID, trainee, time.Now())
	db := st.DB()
	var version int64
	if err := db.GetContext(ctx, &version, `SELECT question_version_id FROM attempt_slots WHERE attempt_id = $1 AND slot = 0`, attempt); err != nil {
		t.Fatal(err)
	}
	foreignKey := func(what string, err error, message string) {
		t.Helper()
		var pqErr *pq.Error
		if !errors.As(err, &pqErr) || pqErr.Code != "23503" || !strings.Contains(pqErr.Message, message) {
			t.Errorf("%s: %v, want the foreign key violation %q", what, err, message)
		}
	}
	_, err := db.ExecContext(ctx, `INSERT INTO attempt_slots (attempt_id, slot, question_version_id) VALUES ($1, 9, $2), ($3, 0, $2)`,
		attempt, version, attempt+1000)
	foreignKey("a slot of no attempt, beside a good one", err, "an attempt that does not exist")
	_, err = db.ExecContext(ctx, `INSERT INTO attempt_slots (attempt_id, slot, question_version_id) VALUES ($1, 9, $2)`, attempt, version+1000)
	foreignKey("a slot of no question version", err, "a question version that does not exist")
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM attempt_slots WHERE slot = 9`); err != nil || n != 0 {
		t.Fatalf("a refused statement wrote %d slots (%v)", n, err)
	}
	_, err = db.ExecContext(ctx, `UPDATE attempt_slots SET attempt_id = attempt_id + 1000 WHERE attempt_id = $1`, attempt)
	foreignKey("a slot moved to another attempt", err, "keeps its attempt")
	_, err = db.ExecContext(ctx, `UPDATE attempt_slots SET question_version_id = question_version_id WHERE attempt_id = $1`, attempt)
	if err != nil {
		t.Errorf("a slot's version set to itself: %v", err)
	}
	_, err = db.ExecContext(ctx, `DELETE FROM question_versions WHERE id = $1`, version)
	foreignKey("a version a slot shows, deleted", err, "a version an attempt shows")
	if _, err := db.ExecContext(ctx, `DELETE FROM quiz_attempts WHERE id = $1`, attempt); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM attempt_slots WHERE attempt_id = $1`, attempt); err != nil || n != 0 {
		t.Errorf("an attempt deleted left %d slots (%v)", n, err)
	}
}
