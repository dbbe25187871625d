package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// LoginLimits are how many failed sign-ins are allowed in each Period.
//
// The scheme: a failed sign-in counts against the account from that address (PerAccount,
// tight), against the address for every account (PerIP) and against the account from
// every address (PerAccountAnywhere, loose). A successful sign-in costs nothing: it clears
// the count of the account from that address and gives back what it took of the others.
// So sixty trainees behind one classroom address all get in; one address guessing one
// account is stopped after PerAccount failures, and from one address an attacker can
// neither lock a chosen account out for anyone else (its failures stay within PerAccount,
// far below PerAccountAnywhere) nor try many accounts (PerIP).
//
// Failures from many addresses at once can reach PerAccountAnywhere, and a noisy neighbour
// behind a shared address can reach PerIP: a browser that has signed in to the account
// before is then still let in. It holds a device token (a cookie) that the account's last
// successful sign-in on it gave, and its attempts count only against that token
// (PerAccount), never against the address or the account (the device cookies of OWASP's
// "slow down online guessing"). Only browsers new to the account wait.
type LoginLimits struct {
	PerAccount         int // failures per account from one address
	PerIP              int // failures per address, all accounts
	PerAccountAnywhere int // failures per account from all addresses; 0 means 20 × PerAccount
	Period             time.Duration
	// PerIPCostly bounds the registrations and password-link uses of one address: each
	// hashes a password with Argon2id (19 MiB). 0 means 60, a classroom at once.
	PerIPCostly int
	// VerifyPerIP is how many certificate look-ups one address may make a minute (default 120).
	VerifyPerIP int
}

// Limiter throttles attempts in Redis, so that the limit holds across app instances.
// Nothing a client sends becomes a key as is: addresses are reduced to their network and
// emails hashed, so a key is short whatever the request held.
type Limiter struct {
	rdb    redis.UniversalClient
	rl     *redis_rate.Limiter
	prefix string
	login  LoginLimits
}

// DeviceTrust is how long a browser stays known to an account after its last sign-in.
const DeviceTrust = 180 * 24 * time.Hour

// NewLimiter returns a limiter whose keys start with prefix.
func NewLimiter(rdb redis.UniversalClient, prefix string, login LoginLimits) *Limiter {
	if login.PerAccountAnywhere <= 0 {
		login.PerAccountAnywhere = 20 * login.PerAccount
	}
	if login.PerIPCostly <= 0 {
		login.PerIPCostly = 60
	}
	if login.VerifyPerIP <= 0 {
		login.VerifyPerIP = 120
	}
	return &Limiter{rdb: rdb, rl: redis_rate.NewLimiter(rdb), prefix: prefix, login: login}
}

// emailKey is the SHA-256 of a normalised address: a fixed 64 characters.
func emailKey(email string) string {
	sum := sha256.Sum256([]byte(courses.NormalizeEmail(email)))
	return hex.EncodeToString(sum[:])
}

// addressKey is the client's network: the IPv4 address, or the /64 of an IPv6 address,
// which one subscriber usually holds whole.
func addressKey(ip string) string {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		sum := sha256.Sum256([]byte(ip))
		return "x" + hex.EncodeToString(sum[:16])
	}
	addr = addr.Unmap()
	if addr.Is6() {
		if p, err := addr.Prefix(64); err == nil {
			return p.String()
		}
	}
	return addr.String()
}

type bucket struct {
	key   string
	limit redis_rate.Limit
}

func (l *Limiter) loginBuckets(email, ip string) (pair, account, address bucket) {
	per := func(n int) redis_rate.Limit { return redis_rate.Limit{Rate: n, Burst: n, Period: l.login.Period} }
	e, a := emailKey(email), addressKey(ip)
	return bucket{l.prefix + "login:pair:" + e + ":" + a, per(l.login.PerAccount)},
		bucket{l.prefix + "login:account:" + e, per(l.login.PerAccountAnywhere)},
		bucket{l.prefix + "login:ip:" + a, per(l.login.PerIP)}
}

// devicesKey holds the devices an account knows: a sorted set of the SHA-256 of their
// tokens (never the tokens), by last sign-in, at most maxDevices of them.
func (l *Limiter) devicesKey(email string) string { return l.prefix + "devices:" + emailKey(email) }

// maxDevices is how many browsers an account remembers: a phone, a work and a home
// computer, a few shared ones; the oldest is forgotten first.
const maxDevices = 10

func deviceHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// knownDevice says whether token is one the account of email gave this browser.
func (l *Limiter) knownDevice(ctx context.Context, email, token string) (bool, error) {
	if len(token) != deviceTokenLength {
		return false, nil
	}
	err := l.rdb.ZScore(ctx, l.devicesKey(email), deviceHash(token)).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: login device: %w", err)
	}
	return true, nil
}

// ForgetDevices makes every browser new to the account again: after a password change,
// a browser that knew the old password is no longer let past the account's limits.
func (l *Limiter) ForgetDevices(ctx context.Context, email string) error {
	if err := l.rdb.Del(ctx, l.devicesKey(email)).Err(); err != nil {
		return fmt.Errorf("store: forget devices: %w", err)
	}
	return nil
}

// deviceTokenLength is the length of a device token: 32 random bytes, base64url.
const deviceTokenLength = 43

// AllowLogin takes one attempt for email from ip out of each of its limits, before the
// password is checked; device is the browser's device token ("" when it has none). It
// returns 0 when the attempt may go ahead, else how long to wait; a refused attempt takes
// nothing. Known and unknown emails are counted alike.
//
// An attempt is counted before the password is checked, not after it fails, so that
// a burst of parallel guesses cannot all pass before the first is counted;
// LoginSucceeded gives the attempt back.
func (l *Limiter) AllowLogin(ctx context.Context, email, ip, device string) (time.Duration, error) {
	buckets, err := l.attemptBuckets(ctx, email, ip, device)
	if err != nil {
		return 0, err
	}
	var taken []bucket
	for _, b := range buckets {
		res, err := l.rl.Allow(ctx, b.key, b.limit)
		if err != nil {
			return 0, fmt.Errorf("store: login limit: %w", err)
		}
		if res.Allowed == 0 {
			if err := l.giveBack(ctx, taken...); err != nil {
				return 0, err
			}
			return res.RetryAfter, nil
		}
		taken = append(taken, b)
	}
	return 0, nil
}

// attemptBuckets are the limits an attempt counts against: the known device's own, or the
// account's from that address, the address's and the account's.
func (l *Limiter) attemptBuckets(ctx context.Context, email, ip, device string) ([]bucket, error) {
	known, err := l.knownDevice(ctx, email, device)
	if err != nil {
		return nil, err
	}
	if known {
		n := l.login.PerAccount
		return []bucket{{l.prefix + "login:device:" + deviceHash(device), redis_rate.Limit{Rate: n, Burst: n, Period: l.login.Period}}}, nil
	}
	pair, account, address := l.loginBuckets(email, ip)
	return []bucket{pair, address, account}, nil
}

// LoginSucceeded clears the failures of the account from that address (or from the known
// device) and gives back what AllowLogin took of the others, so that only failures count.
// It returns the device token the browser is to keep: the one it had, if known to the
// account, else a new one.
func (l *Limiter) LoginSucceeded(ctx context.Context, email, ip, device string) (string, error) {
	known, err := l.knownDevice(ctx, email, device)
	if err != nil {
		return "", err
	}
	if known {
		if err := l.rl.Reset(ctx, l.prefix+"login:device:"+deviceHash(device)); err != nil {
			return "", fmt.Errorf("store: login limit: %w", err)
		}
		if err := l.remember(ctx, email, device); err != nil {
			return "", err
		}
		return device, nil
	}
	pair, account, address := l.loginBuckets(email, ip)
	if err := l.rl.Reset(ctx, pair.key); err != nil {
		return "", fmt.Errorf("store: login limit: %w", err)
	}
	if err := l.giveBack(ctx, address, account); err != nil {
		return "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	if err := l.remember(ctx, email, token); err != nil {
		return "", err
	}
	return token, nil
}

// LoginAbandoned gives back what AllowLogin took for an attempt that could not be judged
// (PostgreSQL did not answer): an outage is not a wrong password, and a trainee who tries
// again through a restart is not throttled for it afterwards.
func (l *Limiter) LoginAbandoned(ctx context.Context, email, ip, device string) error {
	buckets, err := l.attemptBuckets(ctx, email, ip, device)
	if err != nil {
		return err
	}
	return l.giveBack(ctx, buckets...)
}

// remember records token as the account's device signed in last, keeping the newest
// maxDevices, for DeviceTrust after this sign-in.
func (l *Limiter) remember(ctx context.Context, email, token string) error {
	key := l.devicesKey(email)
	_, err := l.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.ZAdd(ctx, key, redis.Z{Score: float64(time.Now().UnixNano()), Member: deviceHash(token)})
		p.ZRemRangeByRank(ctx, key, 0, -maxDevices-1)
		p.Expire(ctx, key, DeviceTrust)
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: login device: %w", err)
	}
	return nil
}

// giveBack returns one attempt to each bucket: a negative cost moves the bucket back. The
// limiter does not write a bucket back to empty, so at most one attempt stays taken.
func (l *Limiter) giveBack(ctx context.Context, buckets ...bucket) error {
	for _, b := range buckets {
		if _, err := l.rl.AllowN(ctx, b.key, b.limit, -1); err != nil {
			return fmt.Errorf("store: login limit: %w", err)
		}
	}
	return nil
}

// AllowRegister counts a registration from ip that is about to hash a password.
func (l *Limiter) AllowRegister(ctx context.Context, ip string) (time.Duration, error) {
	return l.allowCostly(ctx, "register:", ip)
}

// AllowPasswordLink counts a use of the set-password form from ip: a valid link hashes a
// password, and no address may try links without bound.
func (l *Limiter) AllowPasswordLink(ctx context.Context, ip string) (time.Duration, error) {
	return l.allowCostly(ctx, "password-link:", ip)
}

func (l *Limiter) allowCostly(ctx context.Context, kind, ip string) (time.Duration, error) {
	n := l.login.PerIPCostly
	res, err := l.rl.Allow(ctx, l.prefix+kind+addressKey(ip), redis_rate.Limit{Rate: n, Burst: n, Period: 15 * time.Minute})
	if err != nil {
		return 0, fmt.Errorf("store: %slimit: %w", kind, err)
	}
	if res.Allowed == 0 {
		return res.RetryAfter, nil
	}
	return 0, nil
}

// AllowVerify counts a certificate look-up from ip: plenty for an employer checking a few,
// far too few to try codes at random (and 128 random bits leave nothing to find that way).
func (l *Limiter) AllowVerify(ctx context.Context, ip string) (time.Duration, error) {
	n := l.login.VerifyPerIP
	res, err := l.rl.Allow(ctx, l.prefix+"verify:"+addressKey(ip), redis_rate.Limit{Rate: n, Burst: n, Period: time.Minute})
	if err != nil {
		return 0, fmt.Errorf("store: verify limit: %w", err)
	}
	if res.Allowed == 0 {
		return res.RetryAfter, nil
	}
	return 0, nil
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

// resetsPerAddress is how many "forgot password" emails one address may be sent in an hour:
// enough for a lost first email, too few to fill a mailbox.
const resetsPerAddress = 3

// AllowPasswordReset counts a "forgot password" request from ip for email: from one client
// address like the forms that hash a password, and for one email address resetsPerAddress an
// hour, whether or not it has an account (so the answer tells nothing about it).
func (l *Limiter) AllowPasswordReset(ctx context.Context, ip, email string) (time.Duration, error) {
	if wait, err := l.allowCostly(ctx, "password-reset:", ip); err != nil || wait > 0 {
		return wait, err
	}
	res, err := l.rl.Allow(ctx, l.prefix+"password-reset:email:"+emailKey(email),
		redis_rate.Limit{Rate: resetsPerAddress, Burst: resetsPerAddress, Period: time.Hour})
	if err != nil {
		return 0, fmt.Errorf("store: password-reset: limit: %w", err)
	}
	if res.Allowed == 0 {
		return res.RetryAfter, nil
	}
	return 0, nil
}

// AllowEmailChange counts a request by userID to change their address: each checks the
// password and sends an email.
func (l *Limiter) AllowEmailChange(ctx context.Context, userID int64) (time.Duration, error) {
	return l.allowTen(ctx, "email-change:", userID)
}
