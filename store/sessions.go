package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/redis/go-redis/v9"
)

// Sessions keeps signed-in sessions in Redis, so that every app instance sees them.
//
// A small store of our own rather than scs: deactivating a user must end all of that
// user's sessions at once, which needs a per-user index of sessions that scs lacks.
// Keys hold the SHA-256 of the token, never the token, so a read of Redis gives no
// usable cookie.
type Sessions struct {
	rdb      *redis.Client
	prefix   string
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
}

// Session is one signed-in browser.
type Session struct {
	UserID    int64
	CreatedAt time.Time
}

// NewSessions returns a session store. prefix namespaces its keys; idle and absolute
// are the timeouts after no use and after sign-in.
func NewSessions(rdb *redis.Client, prefix string, idle, absolute time.Duration, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{rdb: rdb, prefix: prefix, idle: idle, absolute: absolute, now: now}
}

func (s *Sessions) key(id string) string { return s.prefix + "session:" + id }
func (s *Sessions) userKey(userID int64) string {
	return s.prefix + "user-sessions:" + strconv.FormatInt(userID, 10)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Create starts a session for userID and returns the token for the cookie.
func (s *Sessions) Create(ctx context.Context, userID int64) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	id := hashToken(token)
	now := s.now()
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.key(id), "user_id", userID, "created_at", now.Unix())
		p.Expire(ctx, s.key(id), s.idle)
		p.SAdd(ctx, s.userKey(userID), id)
		p.Expire(ctx, s.userKey(userID), s.absolute)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: create session: %w", err)
	}
	return token, nil
}

// Get returns the session for token and extends its idle timeout, never past the
// absolute one. An unknown or expired token is ErrNotFound.
func (s *Sessions) Get(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, fmt.Errorf("store: session: %w", courses.ErrNotFound)
	}
	id := hashToken(token)
	vals, err := s.rdb.HMGet(ctx, s.key(id), "user_id", "created_at").Result()
	if err != nil {
		return Session{}, fmt.Errorf("store: session: %w", err)
	}
	uid, _ := strconv.ParseInt(str(vals[0]), 10, 64)
	created, _ := strconv.ParseInt(str(vals[1]), 10, 64)
	if uid == 0 {
		return Session{}, fmt.Errorf("store: session: %w", courses.ErrNotFound)
	}
	sess := Session{UserID: uid, CreatedAt: time.Unix(created, 0)}
	left := sess.CreatedAt.Add(s.absolute).Sub(s.now())
	if left <= 0 {
		_ = s.destroy(ctx, id, uid)
		return Session{}, fmt.Errorf("store: session: %w", courses.ErrNotFound)
	}
	if err := s.rdb.Expire(ctx, s.key(id), min(left, s.idle)).Err(); err != nil {
		return Session{}, fmt.Errorf("store: session: %w", err)
	}
	return sess, nil
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// Destroy ends the session for token.
func (s *Sessions) Destroy(ctx context.Context, token string) error {
	id := hashToken(token)
	uid, err := s.rdb.HGet(ctx, s.key(id), "user_id").Int64()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: destroy session: %w", err)
	}
	return s.destroy(ctx, id, uid)
}

func (s *Sessions) destroy(ctx context.Context, id string, userID int64) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.key(id))
		p.SRem(ctx, s.userKey(userID), id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: destroy session: %w", err)
	}
	return nil
}

// DestroyAll ends every session of userID, on every device.
func (s *Sessions) DestroyAll(ctx context.Context, userID int64) error {
	ids, err := s.rdb.SMembers(ctx, s.userKey(userID)).Result()
	if err != nil {
		return fmt.Errorf("store: destroy sessions of %d: %w", userID, err)
	}
	keys := []string{s.userKey(userID)}
	for _, id := range ids {
		keys = append(keys, s.key(id))
	}
	if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("store: destroy sessions of %d: %w", userID, err)
	}
	return nil
}
