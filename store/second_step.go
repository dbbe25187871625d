package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// SecondStepTTL is how long a sign-in waits, after the right password, for its second factor.
const SecondStepTTL = 5 * time.Minute

// SecondStep is a sign-in halfway: the password was right, the code is still to come. It is
// no sign-in: nothing but the code page reads it.
type SecondStep struct {
	UserID int64
	Email  string // as typed at sign-in, normalised: the sign-in limits' key
	Next   string // where the sign-in goes once complete
}

func (s *SignIns) stepKey(token string) string { return s.prefix + "second-step:" + hashToken(token) }

// StartSecondStep keeps step for SecondStepTTL and returns the token for its cookie.
func (s *SignIns) StartSecondStep(ctx context.Context, step SecondStep) (string, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	key := s.stepKey(token)
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, key, "user_id", step.UserID, "email", step.Email, "next", step.Next)
		p.Expire(ctx, key, SecondStepTTL)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("store: start second step: %w", err)
	}
	return token, nil
}

// SecondStep returns the sign-in waiting under token; an unknown or expired one is ErrNotFound.
func (s *SignIns) SecondStep(ctx context.Context, token string) (SecondStep, error) {
	if token == "" {
		return SecondStep{}, fmt.Errorf("store: second step: %w", courses.ErrNotFound)
	}
	vals, err := s.rdb.HMGet(ctx, s.stepKey(token), "user_id", "email", "next").Result()
	if err != nil {
		return SecondStep{}, fmt.Errorf("store: second step: %w", err)
	}
	if vals[0] == nil {
		return SecondStep{}, fmt.Errorf("store: second step: %w", courses.ErrNotFound)
	}
	uid, err := strconv.ParseInt(str(vals[0]), 10, 64)
	if err != nil {
		return SecondStep{}, fmt.Errorf("store: second step: user id: %w", err)
	}
	return SecondStep{UserID: uid, Email: str(vals[1]), Next: str(vals[2])}, nil
}

// EndSecondStep forgets the sign-in waiting under token, so that its cookie is worth
// nothing once used.
func (s *SignIns) EndSecondStep(ctx context.Context, token string) error {
	if err := s.rdb.Del(ctx, s.stepKey(token)).Err(); err != nil {
		return fmt.Errorf("store: end second step: %w", err)
	}
	return nil
}

// SecondFactorTries is how many codes an account may try per SecondFactorPeriod, from every
// address together: a million codes make guessing one hopeless at that pace, and someone
// who mistypes has four more goes.
const (
	SecondFactorTries  = 5
	SecondFactorPeriod = 15 * time.Minute
)

func (l *Limiter) secondFactorKey(userID int64) string {
	return l.prefix + "second-factor:" + strconv.FormatInt(userID, 10)
}

// AllowSecondFactor takes one code attempt of userID's out of its limit, before the code is
// checked (so that parallel guesses are counted too); it returns 0 when the attempt may go
// ahead, else how long to wait. SecondFactorSucceeded gives the attempts back.
func (l *Limiter) AllowSecondFactor(ctx context.Context, userID int64) (time.Duration, error) {
	res, err := l.rl.Allow(ctx, l.secondFactorKey(userID),
		redis_rate.Limit{Rate: SecondFactorTries, Burst: SecondFactorTries, Period: SecondFactorPeriod})
	if err != nil {
		return 0, fmt.Errorf("store: second factor limit: %w", err)
	}
	if res.Allowed == 0 {
		return res.RetryAfter, nil
	}
	return 0, nil
}

// SecondFactorSucceeded clears userID's code attempts: only wrong codes count.
func (l *Limiter) SecondFactorSucceeded(ctx context.Context, userID int64) error {
	if err := l.rl.Reset(ctx, l.secondFactorKey(userID)); err != nil {
		return fmt.Errorf("store: second factor limit: %w", err)
	}
	return nil
}
