package courses

import "testing"

func TestWantedStopsOnlyOptionalEmails(t *testing.T) {
	off := []string{string(NotifyEnrolment), string(NotifySessions)}
	for _, tc := range []struct {
		kind EmailKind
		want bool
	}{
		{EmailEnrolled, false},
		{EmailWaiting, false},
		{EmailSessionReminder, false},
		{EmailCertificateIssued, true},
		{EmailQuizClosing, true},
		// Account emails cannot be turned off, whatever the list says.
		{EmailPasswordReset, true},
		{EmailAccountCreated, true},
		{EmailAddressConfirm, true},
	} {
		if got := Wanted(tc.kind, off); got != tc.want {
			t.Errorf("Wanted(%s, %v) = %v, want %v", tc.kind, off, got, tc.want)
		}
	}
	if Wanted(EmailEnrolled, nil) != true {
		t.Error("an email nobody turned off is not sent")
	}
}

func TestEveryEmailKindIsRequiredOrInAGroup(t *testing.T) {
	required := 0
	for _, k := range EmailKinds {
		if !k.Valid() {
			t.Errorf("%s not valid", k)
		}
		if k.Required() {
			required++
			continue
		}
		if !k.Group().Valid() {
			t.Errorf("%s: group %q is not one a user can turn off", k, k.Group())
		}
	}
	if required != 5 {
		t.Errorf("%d required kinds, want the 5 account emails", required)
	}
	if EmailKind("nonsense").Required() {
		t.Error("an unknown kind counts as required")
	}
}
