package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/redis/go-redis/v9"
)

// Uploads keeps a checked spreadsheet between its preview and its confirmation, in Redis so
// that the confirmation may reach any app instance.
type Uploads struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewUploads returns an upload store whose keys start with prefix.
func NewUploads(rdb redis.UniversalClient, prefix string) *Uploads {
	return &Uploads{rdb: rdb, prefix: prefix}
}

// uploadTTL is how long a preview waits for its confirmation.
const uploadTTL = 30 * time.Minute

type pendingUpload struct {
	UserID   int64                  `json:"user_id"`
	CohortID int64                  `json:"cohort_id"`
	Rows     []courses.EnrolmentRow `json:"rows"`
}

// Put keeps the valid rows of a bulk enrolment for userID and cohortID; it returns their id.
func (u *Uploads) Put(ctx context.Context, userID, cohortID int64, rows []courses.EnrolmentRow) (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	id := hex.EncodeToString(b)
	data, err := json.Marshal(pendingUpload{UserID: userID, CohortID: cohortID, Rows: rows})
	if err != nil {
		return "", err
	}
	if err := u.rdb.Set(ctx, u.prefix+"bulk:"+id, data, uploadTTL).Err(); err != nil {
		return "", fmt.Errorf("store: keep upload: %w", err)
	}
	return id, nil
}

// Take returns and forgets the rows kept under id, if userID kept them for cohortID: a
// confirmation cannot be replayed, nor used by someone else.
func (u *Uploads) Take(ctx context.Context, id string, userID, cohortID int64) ([]courses.EnrolmentRow, error) {
	data, err := u.rdb.GetDel(ctx, u.prefix+"bulk:"+id).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: upload %s: %w", id, courses.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: upload: %w", err)
	}
	var p pendingUpload
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("store: upload: %w", err)
	}
	if p.UserID != userID || p.CohortID != cohortID {
		return nil, fmt.Errorf("store: upload %s: %w", id, courses.ErrNotFound)
	}
	return p.Rows, nil
}
