package courses

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewCodeParsesBackAndCarriesEnoughRandomness(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		code, err := NewCode(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if len(code) != CodeLength || seen[code] {
			t.Fatalf("code %q: wrong length or repeated", code)
		}
		seen[code] = true
		for _, typed := range []string{code, FormatCode(code), strings.ToLower(FormatCode(code)), " " + strings.ReplaceAll(FormatCode(code), "-", " ") + " "} {
			if got, err := ParseCode(typed); err != nil || got != code {
				t.Fatalf("ParseCode(%q) = %q, %v; want %q", typed, got, err, code)
			}
		}
	}
	if (CodeLength-1)*5 < 128 {
		t.Fatalf("a code carries %d random bits, fewer than 128", (CodeLength-1)*5)
	}
}

func TestParseCodeSaysMistypedForEveryOneSymbolSlipAndNeighbourSwap(t *testing.T) {
	code, _ := NewCode(rand.Reader)
	for i := range code {
		for _, r := range codeAlphabet {
			if byte(r) == code[i] {
				continue
			}
			typo := code[:i] + string(r) + code[i+1:]
			if _, err := ParseCode(typo); !errors.Is(err, ErrCodeMistyped) {
				t.Fatalf("%q (symbol %d changed) not caught", typo, i)
			}
		}
		pair := string(code[i]) + string(code[min(i+1, len(code)-1)])
		if i+1 < len(code) && code[i] != code[i+1] && pair != "0Z" && pair != "Z0" { // Luhn's one blind spot
			swap := code[:i] + string(code[i+1]) + string(code[i]) + code[i+2:]
			if _, err := ParseCode(swap); !errors.Is(err, ErrCodeMistyped) {
				t.Fatalf("%q (symbols %d and %d swapped) not caught", swap, i, i+1)
			}
		}
	}
	for _, typed := range []string{"", code[:CodeLength-1], code + "0", code[:5] + "U" + code[6:], code[:5] + "é" + code[6:], code[:5] + "\x00" + code[6:]} {
		if _, err := ParseCode(typed); !errors.Is(err, ErrCodeMistyped) {
			t.Errorf("ParseCode(%q) accepted", typed)
		}
	}
}

func TestParseCodeReadsLettersThatLookLikeDigits(t *testing.T) {
	body := "01" + strings.Repeat("A", CodeLength-3)
	code := body + string(codeAlphabet[codeCheck(body)])
	typed := "oI" + code[2:]
	if got, err := ParseCode(typed); err != nil || got != code {
		t.Fatalf("ParseCode(%q) = %q, %v; want %q", typed, got, err, code)
	}
	if got, err := ParseCode("Ol" + code[2:]); err != nil || got != code {
		t.Fatalf("l as 1: %q, %v", got, err)
	}
}

func TestExpiresOn(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	for _, c := range []struct {
		completed string
		months    int
		want      string
	}{
		{"2026-12-01", 0, ""},
		{"2026-12-01", 24, "2028-11-30"},
		{"2026-03-31", 24, "2028-03-30"},
		{"2026-01-31", 1, "2026-02-27"}, // February has 28 days: valid to the day before the 28th
		{"2028-02-29", 12, "2029-02-27"},
		{"2026-12-15", 1, "2027-01-14"},
	} {
		if got := ExpiresOn(day(c.completed), c.months); got != c.want {
			t.Errorf("ExpiresOn(%s, %d) = %q, want %q", c.completed, c.months, got, c.want)
		}
	}
}

func TestCertificateStatus(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	facts := CertificateFacts{Code: "X", Holder: "María José Peña", Language: "es", School: "Aula", CourseSlug: "c", Course: "Curso",
		Hours: 20, CompletedOn: "2026-11-30", IssuedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), ExpiresOn: "2028-11-29"}
	signed := Certificate{Facts: facts, Signature: SignCertificate(facts, priv)}
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	changed := signed
	changed.Facts.Holder = "María José Pena"
	revoked := signed
	revoked.RevokedAt = now
	replaced := signed
	replaced.ReplacedBy = "Y"
	for _, c := range []struct {
		name string
		cert Certificate
		pub  ed25519.PublicKey
		now  time.Time
		want CertificateStatus
	}{
		{"valid", signed, pub, now, CertificateValid},
		{"valid on its last day", signed, pub, time.Date(2028, 11, 29, 23, 59, 0, 0, time.UTC), CertificateValid},
		{"expired the day after", signed, pub, time.Date(2028, 11, 30, 0, 0, 0, 0, time.UTC), CertificateExpired},
		{"a field changed", changed, pub, now, CertificateInvalid},
		{"another key", signed, otherPub, now, CertificateInvalid},
		{"no such key", signed, nil, now, CertificateInvalid},
		{"revoked", revoked, pub, now, CertificateRevoked},
		{"replaced", replaced, pub, now, CertificateRevoked},
	} {
		if got := c.cert.Status(c.pub, c.now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestCanonicalIgnoresTimeZoneAndSubseconds(t *testing.T) {
	a := CertificateFacts{Code: "X", IssuedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	b := a
	b.IssuedAt = a.IssuedAt.In(time.FixedZone("BOT", -4*3600)).Add(300 * time.Millisecond)
	if !bytes.Equal(a.Canonical(), b.Canonical()) {
		t.Fatalf("%s\n%s", a.Canonical(), b.Canonical())
	}
}

func TestParseReason(t *testing.T) {
	for _, c := range []struct{ in, want, key string }{
		{"  Fraude en la evaluación  ", "Fraude en la evaluación", ""},
		{"   ", "", KeyReasonRequired},
		{"a\x00b", "", KeyBadCharacters},
		{strings.Repeat("é", MaxReasonLength+1), "", KeyTooLong},
	} {
		got, key := ParseReason(c.in)
		if got != c.want || key != c.key {
			t.Errorf("ParseReason(%q) = %q, %q; want %q, %q", c.in, got, key, c.want, c.key)
		}
	}
}

func TestCheckChainFindsTheFirstBrokenLink(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var log []LogEntry
	prev := GenesisHash
	for i := range 5 {
		e := LogEntry{Seq: int64(i + 1), Action: ActionIssue, Code: string(rune('A' + i)), At: at, Digest: []byte{byte(i)}, Prev: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		log = append(log, e)
	}
	if b := CheckChain(log); b != nil {
		t.Fatalf("an intact log breaks at %v", b)
	}
	tampered := append([]LogEntry(nil), log...)
	tampered[2].Reason = "changed"
	if b := CheckChain(tampered); b == nil || b.Seq != 3 {
		t.Fatalf("a changed entry: %v", b)
	}
	removed := append(append([]LogEntry(nil), log[:1]...), log[2:]...)
	if b := CheckChain(removed); b == nil || b.Seq != 3 {
		t.Fatalf("a removed entry: %v", b)
	}
	rehashed := append([]LogEntry(nil), log...)
	rehashed[1].Reason = "changed"
	rehashed[1].Hash = rehashed[1].ComputeHash() // rewritten with its own hash: the next link breaks
	if b := CheckChain(rehashed); b == nil || b.Seq != 3 {
		t.Fatalf("a rehashed entry: %v", b)
	}
}

func TestReissueExpiryRenewsOnlyWhatExpiresSoon(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		old    string
		months int
		want   string
	}{
		{"2026-05-31", 24, "2028-11-30"}, // expired: renewed from today
		{"2027-01-15", 24, "2028-11-30"}, // within the window: renewed
		{"2027-06-30", 24, "2027-06-30"}, // a correction far from expiry keeps its date
		{"", 24, "2028-11-30"},           // the course set a validity since: from today
		{"", 0, ""},
		{"2027-06-30", 0, ""},           // the course's certificates no longer expire
		{"2027-02-28", 3, "2027-02-28"}, // three months, issued today: not yet in its window
		{"2026-12-20", 3, "2027-02-28"}, // in its last three weeks: renewed
	} {
		if got := ReissueExpiry(c.old, c.months, now); got != c.want {
			t.Errorf("ReissueExpiry(%q, %d) = %q, want %q", c.old, c.months, got, c.want)
		}
	}
}
