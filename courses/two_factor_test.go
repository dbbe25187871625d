package courses

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

func TestTwoFactorPolicyRequiresTheRolesItNames(t *testing.T) {
	tests := []struct {
		policy                     TwoFactorPolicy
		trainee, instructor, admin bool
	}{
		{"", false, false, false}, // the zero value: nobody, so that tests sign admins in
		{TwoFactorNone, false, false, false},
		{TwoFactorAdmins, false, false, true},
		{TwoFactorStaff, false, true, true},
	}
	for _, tt := range tests {
		got := []bool{tt.policy.Requires(RoleTrainee), tt.policy.Requires(RoleInstructor), tt.policy.Requires(RoleAdmin)}
		want := []bool{tt.trainee, tt.instructor, tt.admin}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q.Requires(%s) = %v, want %v", tt.policy, Roles[i], got[i], want[i])
			}
		}
	}
}

func TestParseTwoFactorPolicyTakesOnlyItsThreeNames(t *testing.T) {
	for in, want := range map[string]TwoFactorPolicy{"admin": TwoFactorAdmins, " staff ": TwoFactorStaff, "none": TwoFactorNone} {
		if got, ok := ParseTwoFactorPolicy(in); !ok || got != want {
			t.Errorf("ParseTwoFactorPolicy(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "Admin", "admins", "all", "trainee"} {
		if got, ok := ParseTwoFactorPolicy(in); ok {
			t.Errorf("ParseTwoFactorPolicy(%q) = %q, want refused", in, got)
		}
	}
}

func TestNormalizeTOTPCodeReadsSixDigitsAsTyped(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"123456", "123456", true},
		{" 123 456 ", "123456", true},
		{"123-456", "123456", true},
		{"012345", "012345", true},
		{"12345", "", false},
		{"1234567", "", false},
		{"12a456", "", false},
		{"١٢٣٤٥٦", "", false}, // Arabic-Indic digits are not what an app shows
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := NormalizeTOTPCode(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeTOTPCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRecoveryCodesAreFormattedAndReadBackWhateverTheTyping(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"abcd-efgh-jk23", "abcdefghjk23", true},
		{"ABCD EFGH JK23", "abcdefghjk23", true},
		{"abcdefghjk23", "abcdefghjk23", true},
		{" ab-cd ef-gh jk-23 ", "abcdefghjk23", true},
		{"oooo-iiii-llll", "000011111111", true}, // read as the digits they look like
		{"abcd-efgh-jk2u", "", false},            // u is not in the alphabet
		{"abcd-efgh-jk2", "", false},             // too short
		{"abcd-efgh-jk234", "", false},           // too long
		{"abcd-efgh-jk2é", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := NormalizeRecoveryCode(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeRecoveryCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if got := FormatRecoveryCode("abcdefghjk23"); got != "abcd-efgh-jk23" {
		t.Errorf("FormatRecoveryCode = %q", got)
	}
}

func TestNewRecoveryCodesAreDistinctAndReadBackAsShown(t *testing.T) {
	codes, err := NewRecoveryCodes(rand.Reader, RecoveryCodeCount)
	if err != nil || len(codes) != RecoveryCodeCount {
		t.Fatalf("NewRecoveryCodes = %v, %v", codes, err)
	}
	seen := map[string]bool{}
	for _, c := range codes {
		shown := FormatRecoveryCode(c)
		if len(shown) != RecoveryCodeLength+2 || strings.ContainsAny(shown, "ilou") {
			t.Errorf("code shown as %q", shown)
		}
		if back, ok := NormalizeRecoveryCode(strings.ToUpper(shown)); !ok || back != c {
			t.Errorf("%q read back as %q, %v", shown, back, ok)
		}
		if seen[c] {
			t.Errorf("code %q drawn twice", c)
		}
		seen[c] = true
	}
	// Every byte value maps to one of the 32 characters (none is drawn again).
	all := make([]byte, RecoveryCodeLength)
	for i := range all {
		all[i] = byte(255 - i)
	}
	got, err := NewRecoveryCodes(bytes.NewReader(all), 1)
	if err != nil || got[0] != "zyxwvtsrqpnm" {
		t.Fatalf("NewRecoveryCodes(255…244) = %v, %v", got, err)
	}
	if _, err := NewRecoveryCodes(bytes.NewReader(all[:5]), 1); err == nil {
		t.Fatal("a source that ran dry gave codes")
	}
}

func TestMatchTOTPTakesOneStepOfSkewAndOnlyLaterSteps(t *testing.T) {
	secret := []byte("12345678901234567890") // RFC 6238's test secret
	key, err := NewTOTPKey("Aula", "ana@example.org", secret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(59, 0) // step 1
	code := func(at time.Time) string {
		c, err := totp.GenerateCodeCustom(key.Secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := code(now); c != "287082" { // RFC 6238 appendix B, SHA-1 at 59 s: 94287082
		t.Fatalf("code at 59 s = %s, want 287082", c)
	}
	tests := []struct {
		name     string
		code     string
		after    int64
		wantStep int64
		ok       bool
	}{
		{"this step", code(now), 0, 1, true},
		{"typed with a space", code(now)[:3] + " " + code(now)[3:], 0, 1, true},
		{"the step before", code(now.Add(-30 * time.Second)), -5, 0, true},
		{"the step after", code(now.Add(30 * time.Second)), 0, 2, true},
		{"two steps before", code(now.Add(-60 * time.Second)), -5, 0, false},
		{"two steps after", code(now.Add(60 * time.Second)), 0, 0, false},
		{"this step, already used", code(now), 1, 0, false},
		{"the step before, a later one used", code(now.Add(-30 * time.Second)), 0, 0, false},
		{"the step after, this one used", code(now.Add(30 * time.Second)), 1, 2, true},
		{"not digits", "abcdef", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := MatchTOTP(secret, tt.code, now, tt.after)
			if ok != tt.ok || step != tt.wantStep {
				t.Fatalf("MatchTOTP = %d, %v; want %d, %v", step, ok, tt.wantStep, tt.ok)
			}
		})
	}
	if got, err := TOTPCode(secret, now); err != nil || got != "287082" {
		t.Fatalf("TOTPCode = %q, %v", got, err)
	}
}

func TestTOTPKeyNamesTheSchoolAndTheAccount(t *testing.T) {
	key, err := NewTOTPKey("Escuela de Seguridad", "ana@example.org", []byte("12345678901234567890"))
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := otp.NewKeyFromURL(key.URL)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Issuer() != "Escuela de Seguridad" || parsed.AccountName() != "ana@example.org" || parsed.Secret() != key.Secret ||
		parsed.Period() != 30 || parsed.Digits() != otp.DigitsSix {
		t.Fatalf("key URL %s reads as %s / %s / %s", key.URL, parsed.Issuer(), parsed.AccountName(), parsed.Secret())
	}
	if got := strings.Join(key.Groups(), " "); got != "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ" {
		t.Fatalf("groups = %q", got)
	}
}
