package store

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: OWASP's 19 MiB with one pass more than its minimum of two, so that
// one hash takes about 50 ms on a 2-core server (BENCHMARKS.md measures it). A hash made
// with other parameters still checks, and is made anew at the account's next sign-in.
const (
	argonMemory  = 19 * 1024
	argonTime    = 3
	argonThreads = 1
	argonKeyLen  = 32
)

// hashing bounds the hashes computed at once in this process: each takes 19 MiB and a core
// for its 50 ms, so a crowd signing in at once (an exam at 09:00) queues for a slot instead of
// holding a hash's memory each. Twice the cores keeps every core busy while one waits.
var hashing = make(chan struct{}, 2*runtime.GOMAXPROCS(0))

// idKey is argon2.IDKey in one of the process's hashing slots.
func idKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	hashing <- struct{}{}
	defer func() { <-hashing }()
	return argon2.IDKey(password, salt, time, memory, threads, keyLen)
}

// currentParams is the parameters part of a hash made today; a stored hash with another
// one is made anew when its password is next given.
var currentParams = fmt.Sprintf("m=%d,t=%d,p=%d", argonMemory, argonTime, argonThreads)

// outdatedHash says whether a PHC hash was made with parameters other than today's.
func outdatedHash(hash string) bool {
	parts := strings.Split(hash, "$")
	return len(parts) == 6 && parts[3] != currentParams
}

var b64 = base64.RawStdEncoding

// HashPassword returns an Argon2id hash in PHC string form.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := idKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("store: malformed password hash")

// CheckPassword reports whether password matches an Argon2id PHC hash, in constant time.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false, errBadHash
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, errBadHash
	}
	got := idKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when an email is unknown, so that a login for an unknown
// account takes as long as one for a known account.
var dummyHash = func() string {
	h, err := HashPassword("aula-dummy-password")
	if err != nil {
		panic(err)
	}
	return h
}()
