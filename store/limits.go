package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// LoginLimits are how many sign-in attempts are allowed per account and per address.
type LoginLimits struct {
	PerAccount int
	PerIP      int
	Period     time.Duration
}

// Limiter throttles attempts in Redis, so that the limit holds across app instances.
type Limiter struct {
	rl     *redis_rate.Limiter
	prefix string
	login  LoginLimits
}

// NewLimiter returns a limiter whose keys start with prefix.
func NewLimiter(rdb *redis.Client, prefix string, login LoginLimits) *Limiter {
	return &Limiter{rl: redis_rate.NewLimiter(rdb), prefix: prefix, login: login}
}

func (l *Limiter) accountKey(email string) string {
	return l.prefix + "login:account:" + courses.NormalizeEmail(email)
}
func (l *Limiter) ipKey(ip string) string { return l.prefix + "login:ip:" + ip }

// AllowLogin counts a sign-in attempt for email from ip. It returns 0 when the attempt may
// go ahead, else how long to wait. Known and unknown emails are counted alike.
func (l *Limiter) AllowLogin(ctx context.Context, email, ip string) (time.Duration, error) {
	wait := time.Duration(0)
	for _, c := range []struct {
		key  string
		rate int
	}{{l.accountKey(email), l.login.PerAccount}, {l.ipKey(ip), l.login.PerIP}} {
		res, err := l.rl.Allow(ctx, c.key, redis_rate.Limit{Rate: c.rate, Burst: c.rate, Period: l.login.Period})
		if err != nil {
			return 0, fmt.Errorf("store: login limit: %w", err)
		}
		if res.Allowed == 0 {
			wait = max(wait, res.RetryAfter)
		}
	}
	return wait, nil
}

// LoginSucceeded forgets an account's failed attempts.
func (l *Limiter) LoginSucceeded(ctx context.Context, email string) error {
	if err := l.rl.Reset(ctx, l.accountKey(email)); err != nil {
		return fmt.Errorf("store: login limit: %w", err)
	}
	return nil
}

// AllowCheckIn counts a check-in attempt by userID: ten a quarter of an hour is plenty for
// someone in the room, and far too few to guess a six-digit code.
func (l *Limiter) AllowCheckIn(ctx context.Context, userID int64) (time.Duration, error) {
	return l.allowTen(ctx, "checkin:", userID)
}

// AllowEnrolKey counts an attempt by userID at a cohort's enrolment key, so that short keys
// cannot be guessed by trying them all.
func (l *Limiter) AllowEnrolKey(ctx context.Context, userID int64) (time.Duration, error) {
	return l.allowTen(ctx, "enrolkey:", userID)
}

// allowTen allows ten attempts a quarter of an hour per user; it returns how long to wait.
func (l *Limiter) allowTen(ctx context.Context, kind string, userID int64) (time.Duration, error) {
	res, err := l.rl.Allow(ctx, l.prefix+kind+strconv.FormatInt(userID, 10), redis_rate.Limit{Rate: 10, Burst: 10, Period: 15 * time.Minute})
	if err != nil {
		return 0, fmt.Errorf("store: %slimit: %w", kind, err)
	}
	if res.Allowed == 0 {
		return res.RetryAfter, nil
	}
	return 0, nil
}
