package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/redis/go-redis/v9"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestSessionLifecycle(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	clk := &clock{t: time.Now()}
	s := store.NewSignIns(rdb, prefix, time.Hour, 8*time.Hour, clk.now)

	a, err := s.Create(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Create(ctx, 7)
	other, _ := s.Create(ctx, 8)
	if a == b {
		t.Fatal("two sessions share a token")
	}
	if sess, err := s.Get(ctx, a); err != nil || sess.UserID != 7 {
		t.Fatalf("Get = %+v, %v", sess, err)
	}
	if keys, _ := rdb.Keys(ctx, prefix+"signin:*").Result(); len(keys) != 3 {
		t.Fatalf("keys %v", keys)
	} else {
		for _, k := range keys {
			if k == prefix+"signin:"+a {
				t.Fatal("the token itself is stored in Redis")
			}
		}
	}

	if err := s.Destroy(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, a); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("destroyed session: %v", err)
	}
	if _, err := s.Get(ctx, b); err != nil {
		t.Fatalf("the other session died too: %v", err)
	}
	if err := s.DestroyAll(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, b); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("DestroyAll left a session: %v", err)
	}
	if _, err := s.Get(ctx, other); err != nil {
		t.Fatalf("DestroyAll ended another user's session: %v", err)
	}
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	clk := &clock{t: time.Now()}
	s := store.NewSignIns(rdb, prefix, time.Hour, 2*time.Hour, clk.now)
	tok, _ := s.Create(ctx, 1)
	clk.add(90 * time.Minute)
	if _, err := s.Get(ctx, tok); err != nil {
		t.Fatalf("within the absolute timeout: %v", err)
	}
	ttl := rdb.TTL(ctx, prefix+"signin:"+tokHash(tok)).Val()
	if ttl > 31*time.Minute {
		t.Fatalf("idle extension passes the absolute timeout: ttl %v", ttl)
	}
	clk.add(31 * time.Minute)
	if _, err := s.Get(ctx, tok); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("past the absolute timeout: %v", err)
	}
}

// roundTrips counts what a Redis client sends: one for each command alone, one for each
// pipeline.
type roundTrips struct{ n int }

func (r *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (r *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { r.n++; return next(ctx, cmd) }
}
func (r *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { r.n++; return next(ctx, cmds) }
}

// Every signed-in request reads its sign-in: one round trip to Redis, which also extends the
// idle timeout; only the last idle period before the absolute timeout takes a second.
func TestASignInIsReadInOneRoundTrip(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	clk := &clock{t: time.Now()}
	s := store.NewSignIns(rdb, prefix, time.Hour, 3*time.Hour, clk.now)
	tok, _ := s.Create(ctx, 1)
	key := prefix + "signin:" + tokHash(tok)
	rdb.Expire(ctx, key, time.Minute) // as if idle for 59 minutes
	// A connection in the pool already (Create's), so that a dial's own commands, which go
	// through the hooks too, are not counted.
	rdb.Pipelined(ctx, func(redis.Pipeliner) error { return nil })
	trips := &roundTrips{}
	rdb.AddHook(trips)
	if sess, err := s.Get(ctx, tok); err != nil || sess.UserID != 1 {
		t.Fatalf("get: %+v, %v", sess, err)
	}
	if trips.n != 1 {
		t.Errorf("a sign-in read in %d round trips, want 1", trips.n)
	}
	if ttl := rdb.TTL(ctx, key).Val(); ttl < 59*time.Minute {
		t.Errorf("the idle timeout was not extended: ttl %v", ttl)
	}
	clk.add(150 * time.Minute) // half an hour left of the absolute timeout
	trips.n = 0
	if _, err := s.Get(ctx, tok); err != nil {
		t.Fatal(err)
	}
	n := trips.n
	if ttl := rdb.TTL(ctx, key).Val(); n != 2 || ttl > 31*time.Minute || ttl < 29*time.Minute {
		t.Errorf("near the absolute timeout: %d round trips, ttl %v; want 2 and the 30 minutes left", n, ttl)
	}
	trips.n = 0
	if _, err := s.Get(ctx, "no such token"); !errors.Is(err, courses.ErrNotFound) || trips.n != 1 {
		t.Errorf("an unknown token: %v in %d round trips", err, trips.n)
	}
	if n := rdb.Exists(ctx, prefix+"signin:"+tokHash("no such token")).Val(); n != 0 {
		t.Errorf("reading an unknown token made a key")
	}
}

func tokHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func TestSessionIdleTimeoutExpiresInRedis(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	s := store.NewSignIns(rdb, prefix, 1500*time.Millisecond, time.Hour, nil)
	tok, _ := s.Create(ctx, 1)
	time.Sleep(2 * time.Second)
	if _, err := s.Get(ctx, tok); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("idle session still alive: %v", err)
	}
}

func TestLoginLimiterThrottlesAccountPerAddressTightlyAndEverywhereLoosely(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	l := store.NewLimiter(rdb, prefix, store.LoginLimits{PerAccount: 3, PerIP: 5, PerAccountAnywhere: 6, Period: time.Minute})
	for i := 0; i < 3; i++ {
		if wait, err := l.AllowLogin(ctx, "ana@example.org", "10.0.0.1", ""); err != nil || wait != 0 {
			t.Fatalf("attempt %d: wait %v, %v", i+1, wait, err)
		}
	}
	if wait, _ := l.AllowLogin(ctx, "ANA@example.org ", "10.0.0.1", ""); wait <= 0 {
		t.Fatal("4th failure on the account from one address was allowed")
	}
	// The account is not locked for its owner elsewhere.
	if wait, _ := l.AllowLogin(ctx, "ana@example.org", "10.0.0.2", ""); wait != 0 {
		t.Fatal("a lock-out from one address reached another address")
	}
	// Refused attempts took nothing: 10.0.0.1 has three failures, its limit is 5.
	if wait, _ := l.AllowLogin(ctx, "bruno@example.org", "10.0.0.1", ""); wait != 0 {
		t.Fatal("another account from the same address refused too early")
	}
	if wait, _ := l.AllowLogin(ctx, "carla@example.org", "10.0.0.1", ""); wait != 0 {
		t.Fatal("5th failure from one address refused")
	}
	if wait, _ := l.AllowLogin(ctx, "dora@example.org", "10.0.0.1", ""); wait <= 0 {
		t.Fatal("6th failure from one address allowed")
	}
	// Failures from many addresses reach the account's loose limit: 3 + 1 + 2 = 6.
	for _, ip := range []string{"10.0.0.3", "10.0.0.4"} {
		if wait, _ := l.AllowLogin(ctx, "ana@example.org", ip, ""); wait != 0 {
			t.Fatalf("failure from %s refused early", ip)
		}
	}
	if wait, _ := l.AllowLogin(ctx, "ana@example.org", "10.0.0.5", ""); wait <= 0 {
		t.Fatal("the account's limit across addresses did not hold")
	}
	// Ana's own browser, known to her account, still gets in; a new browser waits, and a
	// browser known to another account is a new browser to hers.
	if wait, _ := l.AllowLogin(ctx, "ana@example.org", "10.0.0.9", ""); wait <= 0 {
		t.Fatal("a new browser got past the account's limit")
	}
	bruno, err := l.LoginSucceeded(ctx, "bruno@example.org", "10.0.0.8", "")
	if err != nil {
		t.Fatal(err)
	}
	if wait, _ := l.AllowLogin(ctx, "ana@example.org", "10.0.0.8", bruno); wait <= 0 {
		t.Fatal("another account's device token let a browser past Ana's limit")
	}
	rdb.Del(ctx, "rate:"+prefix+"login:account:"+tokHash("ana@example.org")) // as if before the attack
	ana, err := l.LoginSucceeded(ctx, "ana@example.org", "10.0.0.9", "")
	if err != nil || ana == "" || ana == bruno {
		t.Fatalf("device token %q, %v", ana, err)
	}
	for ip := 20; ip < 26; ip++ { // the attack again, from six addresses
		l.AllowLogin(ctx, "ana@example.org", fmt.Sprintf("10.0.1.%d", ip), "")
	}
	if wait, _ := l.AllowLogin(ctx, "ana@example.org", "10.0.0.9", ""); wait <= 0 {
		t.Fatal("the account's limit did not hold again")
	}
	if wait, _ := l.AllowLogin(ctx, "ana@example.org", "192.0.2.7", ana); wait != 0 {
		t.Fatal("Ana's own browser is locked out by strangers' failures")
	}
	if again, err := l.LoginSucceeded(ctx, "ana@example.org", "192.0.2.7", ana); err != nil || again != ana {
		t.Fatalf("a known browser's token changed: %q, %v", again, err)
	}
	// A known browser's own guesses are limited all the same.
	for i := 0; i < 3; i++ {
		l.AllowLogin(ctx, "ana@example.org", "192.0.2.7", ana)
	}
	if wait, _ := l.AllowLogin(ctx, "ana@example.org", "192.0.2.7", ana); wait <= 0 {
		t.Fatal("a known browser guesses without limit")
	}
}

func TestLoginLimiterCountsOnlyFailuresPerAddress(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	l := store.NewLimiter(rdb, prefix, store.LoginLimits{PerAccount: 5, PerIP: 5, Period: time.Minute})
	for i := 0; i < 60; i++ {
		email := fmt.Sprintf("trainee%d@example.org", i)
		if wait, err := l.AllowLogin(ctx, email, "10.0.0.1", ""); err != nil || wait != 0 {
			t.Fatalf("sign-in %d: wait %v, %v", i+1, wait, err)
		}
		if _, err := l.LoginSucceeded(ctx, email, "10.0.0.1", ""); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoginLimiterDoesNotCountAttemptsAnOutageLeftUnjudged(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	l := store.NewLimiter(rdb, prefix, store.LoginLimits{PerAccount: 3, PerIP: 3, PerAccountAnywhere: 3, Period: time.Hour})
	known, err := l.LoginSucceeded(ctx, "ana@example.org", "10.0.0.1", "")
	if err != nil || known == "" {
		t.Fatalf("no device token for a browser that signed in: %q, %v", known, err)
	}
	for _, device := range []string{"", known} {
		for i := 0; i < 10; i++ {
			if wait, err := l.AllowLogin(ctx, "ana@example.org", "10.0.0.1", device); err != nil || wait != 0 {
				t.Fatalf("device %q, try %d through an outage: wait %v, %v", device, i+1, wait, err)
			}
			if err := l.LoginAbandoned(ctx, "ana@example.org", "10.0.0.1", device); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestLoginLimiterKeysAreShortWhateverTheRequestHeld(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	l := store.NewLimiter(rdb, prefix, store.LoginLimits{PerAccount: 5, PerIP: 5, Period: time.Minute})
	huge := strings.Repeat("a", 1<<20) + "@example.org"
	if _, err := l.AllowLogin(ctx, huge, "2001:db8::"+strings.Repeat("1", 4), strings.Repeat("d", 1<<16)); err != nil {
		t.Fatal(err)
	}
	if _, err := l.AllowRegister(ctx, strings.Repeat("x", 1<<16)); err != nil {
		t.Fatal(err)
	}
	keys, err := rdb.Keys(ctx, "*"+prefix+"*").Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys: %v %v", keys, err)
	}
	for _, k := range keys {
		if len(k) > 200 {
			t.Errorf("key of %d bytes", len(k))
		}
	}
}

// An account remembers its ten latest browsers, no more, and forgets them all when its
// password changes.
func TestLoginDevicesAreBoundedPerAccountAndForgottenOnPasswordChange(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	l := store.NewLimiter(rdb, prefix, store.LoginLimits{PerAccount: 3, PerIP: 50, PerAccountAnywhere: 3, Period: time.Hour})
	var tokens []string
	for i := 0; i < 12; i++ {
		tok, err := l.LoginSucceeded(ctx, "ana@example.org", "10.0.0.1", "")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	if n := rdb.ZCard(ctx, prefix+"devices:"+tokHash("ana@example.org")).Val(); n != 10 {
		t.Fatalf("the account remembers %d browsers, want 10", n)
	}
	for i := 0; i < 3; i++ { // fill the account's limit from other addresses
		l.AllowLogin(ctx, "ana@example.org", fmt.Sprintf("10.0.2.%d", i), "")
	}
	known := func(tok string) bool {
		wait, _ := l.AllowLogin(ctx, "ana@example.org", "10.0.3.1", tok)
		return wait == 0
	}
	if known(tokens[0]) || known(tokens[1]) {
		t.Fatal("a browser beyond the ten latest is still known")
	}
	if !known(tokens[11]) {
		t.Fatal("the latest browser is not known")
	}
	if err := l.ForgetDevices(ctx, "ana@example.org"); err != nil {
		t.Fatal(err)
	}
	if known(tokens[10]) {
		t.Fatal("a browser is still known after the password changed")
	}
}

// A sign-in keeps its user's row, so that a signed-in page reads none from PostgreSQL; a
// change of the row forgets it on every device, a row read before such a change is not
// kept after it, an ended sign-in is not made anew by a keep, and a row kept stands for
// UserKeptFor at most.
func TestASignInKeepsItsUsersRowUntilTheRowChanges(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.Redis(t)
	clk := &clock{t: time.Now()}
	s := store.NewSignIns(rdb, prefix, time.Hour, 8*time.Hour, clk.now)
	ana := courses.User{ID: 7, Email: "ana@example.org", FullName: "Ana <Pérez>", Country: "HN", Sector: courses.SectorPolice,
		Gender: courses.GenderWoman, Language: "pt", Role: courses.RoleTrainee, Active: true}
	phone, _ := s.Create(ctx, 7)
	laptop, _ := s.Create(ctx, 7)
	get := func(token string) store.SignIn {
		t.Helper()
		sess, err := s.Get(ctx, token)
		if err != nil {
			t.Fatal(err)
		}
		return sess
	}
	sess := get(phone)
	if sess.User != nil {
		t.Fatalf("a new sign-in has a row kept: %+v", sess.User)
	}
	if err := s.KeepUser(ctx, phone, sess, ana); err != nil {
		t.Fatal(err)
	}
	if got := get(phone).User; got == nil || *got != ana {
		t.Fatalf("the row kept: %+v, want %+v", got, ana)
	}
	if got := get(laptop).User; got != nil {
		t.Fatalf("another device's sign-in has the row kept by this one: %+v", got)
	}
	// Another user's row, an inactive one, or an instructor's or administrator's, is never kept.
	if err := s.KeepUser(ctx, laptop, get(laptop), courses.User{ID: 8, Active: true}); err != nil {
		t.Fatal(err)
	}
	inactive := ana
	inactive.Active = false
	if err := s.KeepUser(ctx, laptop, get(laptop), inactive); err != nil {
		t.Fatal(err)
	}
	for _, role := range []courses.Role{courses.RoleInstructor, courses.RoleAdmin} {
		privileged := ana
		privileged.Role = role
		if err := s.KeepUser(ctx, laptop, get(laptop), privileged); err != nil {
			t.Fatal(err)
		}
	}
	if got := get(laptop).User; got != nil {
		t.Fatalf("kept another user's, an inactive or a privileged row: %+v", got)
	}
	// A row kept by an instance whose clock is ahead is not taken as fresh.
	ahead := store.NewSignIns(rdb, prefix, time.Hour, 8*time.Hour, func() time.Time { return clk.now().Add(time.Minute) })
	if err := ahead.KeepUser(ctx, laptop, get(laptop), ana); err != nil {
		t.Fatal(err)
	}
	if got := get(laptop).User; got != nil {
		t.Fatalf("a row kept a minute ahead of this instance's clock was taken: %+v", got)
	}
	if ahead.ForgetUser(ctx, 7) != nil {
		t.Fatal("forget")
	}

	// The laptop reads the row before the phone changes it, and keeps it after: not kept.
	before := get(laptop)
	if err := s.ForgetUser(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if got := get(phone).User; got != nil {
		t.Fatalf("the row is still kept after ForgetUser: %+v", got)
	}
	if err := s.KeepUser(ctx, laptop, before, ana); err != nil {
		t.Fatal(err)
	}
	if got := get(laptop).User; got != nil {
		t.Fatalf("a row read before the change was kept after it: %+v", got)
	}
	renamed := ana
	renamed.FullName = "Ana Pérez Luna"
	if err := s.KeepUser(ctx, laptop, get(laptop), renamed); err != nil {
		t.Fatal(err)
	}
	if got := get(laptop).User; got == nil || got.FullName != renamed.FullName {
		t.Fatalf("the row read after the change: %+v", got)
	}

	clk.add(store.UserKeptFor - time.Second)
	if get(laptop).User == nil {
		t.Fatal("the row is no longer kept before UserKeptFor")
	}
	clk.add(2 * time.Second)
	if got := get(laptop).User; got != nil {
		t.Fatalf("the row stands past UserKeptFor: %+v", got)
	}

	// A keep after the sign-in ended makes no key; nor does a forget of a sign-in that expired
	// (its key gone, its id still in the user's set).
	ended := get(phone)
	if err := s.Destroy(ctx, phone); err != nil {
		t.Fatal(err)
	}
	if err := s.KeepUser(ctx, phone, ended, ana); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Del(ctx, prefix+"signin:"+tokHash(laptop)).Err(); err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetUser(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if n := rdb.Exists(ctx, prefix+"signin:"+tokHash(laptop)).Val(); n != 0 {
		t.Fatal("a forget made anew a sign-in that had expired")
	}
	if n := rdb.Exists(ctx, prefix+"signin:"+tokHash(phone)).Val(); n != 0 {
		t.Fatal("a keep or a forget made anew a sign-in that had ended")
	}
	if _, err := s.Get(ctx, phone); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("an ended sign-in after a keep: %v", err)
	}
}
