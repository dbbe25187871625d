package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/redis/go-redis/v9"
)

// SignIns keeps the signed-in browsers in Redis, so that every app instance sees them.
//
// A small store of our own rather than scs: deactivating a user must end all of that
// user's sign-ins at once, which needs a per-user index of sign-ins that scs lacks.
// Keys hold the SHA-256 of the token, never the token, so a read of Redis gives no
// usable cookie.
type SignIns struct {
	rdb      redis.UniversalClient
	prefix   string
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
}

// SignIn is one signed-in browser.
type SignIn struct {
	UserID    int64
	CreatedAt time.Time
	// User is the user's row as KeepUser kept it with the sign-in, when it is there and was
	// read from PostgreSQL less than UserKeptFor ago; nil otherwise, and the caller reads it.
	User  *courses.User
	epoch string // the sign-in's user epoch as read: KeepUser keeps a row only if it is unchanged
}

// UserKeptFor is how long a user's row kept with a sign-in stands for the row in PostgreSQL.
// ForgetUser forgets it when the row changes; this bounds what a change made where Aula does
// not see it (or a forget that failed) leaves stale.
const UserKeptFor = 5 * time.Minute

// keptUserField is the sign-in's field the row is kept in, as JSON of courses.User: named
// anew when courses.User changes, so that a row kept by the build before is not decoded into
// the new one with a field missing.
const keptUserField = "user_v1"

// NewSignIns returns the sign-in store. prefix namespaces its keys; idle and absolute
// are the timeouts after no use and after sign-in.
func NewSignIns(rdb redis.UniversalClient, prefix string, idle, absolute time.Duration, now func() time.Time) *SignIns {
	if now == nil {
		now = time.Now
	}
	return &SignIns{rdb: rdb, prefix: prefix, idle: idle, absolute: absolute, now: now}
}

func (s *SignIns) key(id string) string { return s.prefix + "signin:" + id }
func (s *SignIns) userKey(userID int64) string {
	return s.prefix + "user-signins:" + strconv.FormatInt(userID, 10)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Create signs userID in on one browser and returns the token for the cookie.
func (s *SignIns) Create(ctx context.Context, userID int64) (string, error) {
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
		return "", fmt.Errorf("store: start sign-in: %w", err)
	}
	return token, nil
}

// Get returns the sign-in for token and extends its idle timeout, never past the
// absolute one. An unknown or expired token is ErrNotFound. It gives the user's row kept with
// the sign-in (KeepUser) in the same read, when there is one.
//
// It is one round trip to Redis, on every signed-in request: the idle timeout's extension and
// the read go together, and only in the sign-in's last idle period before the absolute
// timeout does a second one shorten the extension to what is left (between the two, or if the
// second fails, the key outlives its absolute timeout, but a read past it is refused and ends
// it). The extension goes first: go-redis retries a pipeline on its first command's error, so a
// master just demoted in a failover (READONLY) sends both again, to the new one.
func (s *SignIns) Get(ctx context.Context, token string) (SignIn, error) {
	if token == "" {
		return SignIn{}, fmt.Errorf("store: sign-in: %w", courses.ErrNotFound)
	}
	id := hashToken(token)
	var read *redis.SliceCmd
	if _, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Expire(ctx, s.key(id), s.idle) // a no-op on a key that is not there
		read = p.HMGet(ctx, s.key(id), "user_id", "created_at", keptUserField, "user_at", "user_epoch")
		return nil
	}); err != nil {
		return SignIn{}, fmt.Errorf("store: sign-in: %w", err)
	}
	vals := read.Val()
	if vals[0] == nil {
		return SignIn{}, fmt.Errorf("store: sign-in: %w", courses.ErrNotFound)
	}
	uid, err := strconv.ParseInt(str(vals[0]), 10, 64)
	if err != nil {
		return SignIn{}, fmt.Errorf("store: sign-in: user id: %w", err)
	}
	created, err := strconv.ParseInt(str(vals[1]), 10, 64)
	if err != nil {
		return SignIn{}, fmt.Errorf("store: sign-in: created at: %w", err)
	}
	sess := SignIn{UserID: uid, CreatedAt: time.Unix(created, 0), epoch: str(vals[4])}
	now := s.now()
	// A row kept "later" than now (by an instance whose clock is ahead) is not taken either.
	if at, err := strconv.ParseInt(str(vals[3]), 10, 64); err == nil && now.Sub(time.UnixMilli(at)) < UserKeptFor && !time.UnixMilli(at).After(now) {
		var u courses.User
		if err := json.Unmarshal([]byte(str(vals[2])), &u); err == nil && u.ID == uid && u.Active {
			sess.User = &u
		}
	}
	left := sess.CreatedAt.Add(s.absolute).Sub(now)
	if left <= 0 {
		if err := s.destroy(ctx, id, uid); err != nil {
			return SignIn{}, err
		}
		return SignIn{}, fmt.Errorf("store: sign-in: %w", courses.ErrNotFound)
	}
	if left < s.idle {
		if err := s.rdb.Expire(ctx, s.key(id), left).Err(); err != nil {
			return SignIn{}, fmt.Errorf("store: sign-in: %w", err)
		}
	}
	return sess, nil
}

// keepUser and forgetUser are KeepUser's and ForgetUser's scripts, each on the one key of a
// sign-in. keepUser writes the row only where the sign-in is still there (never making anew
// one just ended) and its user epoch is the one read before the row was: a ForgetUser in
// between (the row changed after it was read) moves the epoch on, and the row read before it
// is not kept.
var (
	keepUser = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 and (redis.call('HGET', KEYS[1], 'user_epoch') or '') == ARGV[1] then
	redis.call('HSET', KEYS[1], ARGV[4], ARGV[2], 'user_at', ARGV[3])
	return 1
end
return 0`)
	forgetUser = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
	redis.call('HINCRBY', KEYS[1], 'user_epoch', 1)
	redis.call('HDEL', KEYS[1], ARGV[1], 'user_at')
end
return 0`)
)

// KeepUser keeps u, the row of sess's user just read from PostgreSQL, with the sign-in of
// token, for the requests after this one (Get gives it back for UserKeptFor): a signed-in
// page then reads no row of PostgreSQL to know who asks. Only an active trainee's row is
// kept: instructors' and administrators' pages read theirs every time, so that a demotion or
// a deactivation of one of them never waits on Redis (its sign-ins are ended, but if ending
// them failed, a kept row would still open the pages of the role it had).
func (s *SignIns) KeepUser(ctx context.Context, token string, sess SignIn, u courses.User) error {
	if !u.Active || u.ID != sess.UserID || u.Role != courses.RoleTrainee {
		return nil
	}
	b, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("store: keep user with sign-in: %w", err)
	}
	at := strconv.FormatInt(s.now().UnixMilli(), 10)
	if err := keepUser.Run(ctx, s.rdb, []string{s.key(hashToken(token))}, sess.epoch, b, at, keptUserField).Err(); err != nil {
		return fmt.Errorf("store: keep user with sign-in: %w", err)
	}
	return nil
}

// ForgetUser forgets the row of userID kept with each of their sign-ins: what changes the
// row calls it once the change is committed, and every device's next request reads it anew.
func (s *SignIns) ForgetUser(ctx context.Context, userID int64) error {
	ids, err := s.signInsOf(ctx, userID)
	if err != nil {
		return fmt.Errorf("store: forget user %d with sign-ins: %w", userID, err)
	}
	for _, id := range ids {
		if err := forgetUser.Run(ctx, s.rdb, []string{s.key(id)}, keptUserField).Err(); err != nil {
			return fmt.Errorf("store: forget user %d with sign-ins: %w", userID, err)
		}
	}
	return nil
}

// signInsOf lists the ids of userID's sign-ins, from the per-user index (an id may outlive
// its sign-in there, until the sign-in is ended by Destroy).
func (s *SignIns) signInsOf(ctx context.Context, userID int64) ([]string, error) {
	return s.rdb.SMembers(ctx, s.userKey(userID)).Result()
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

// Destroy ends the sign-in for token.
func (s *SignIns) Destroy(ctx context.Context, token string) error {
	id := hashToken(token)
	uid, err := s.rdb.HGet(ctx, s.key(id), "user_id").Int64()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: end sign-in: %w", err)
	}
	return s.destroy(ctx, id, uid)
}

func (s *SignIns) destroy(ctx context.Context, id string, userID int64) error {
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, s.key(id))
		p.SRem(ctx, s.userKey(userID), id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: end sign-in: %w", err)
	}
	return nil
}

// DestroyAll ends every sign-in of userID, on every device.
func (s *SignIns) DestroyAll(ctx context.Context, userID int64) error {
	ids, err := s.signInsOf(ctx, userID)
	if err != nil {
		return fmt.Errorf("store: destroy sign-ins of %d: %w", userID, err)
	}
	keys := []string{s.userKey(userID)}
	for _, id := range ids {
		keys = append(keys, s.key(id))
	}
	if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("store: destroy sign-ins of %d: %w", userID, err)
	}
	return nil
}
