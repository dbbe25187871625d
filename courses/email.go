package courses

import "slices"

// EmailKind says what an email is about; its subject, text and action come from the
// translation files under email.KIND.
type EmailKind string

// The emails Aula sends. The first ones are about the account itself and are always sent;
// the others are notifications a user may turn off, by group, on their profile.
const (
	EmailPasswordReset  EmailKind = "password_reset"  // "forgot password": a link valid for an hour
	EmailPasswordLink   EmailKind = "password_link"   // an administrator's "send a new link"
	EmailAccountCreated EmailKind = "account_created" // an account made for the user (bulk enrolment): set your password
	EmailAddressConfirm EmailKind = "address_confirm" // to a new address: confirm it is yours
	EmailAddressChanged EmailKind = "address_changed" // to the old address: it was replaced

	EmailEnrolled          EmailKind = "enrolled"           // enrolment confirmed
	EmailWaiting           EmailKind = "waiting"            // on a cohort's waiting list
	EmailPromoted          EmailKind = "promoted"           // moved in from the waiting list
	EmailApprovalRequested EmailKind = "approval_requested" // to a course's instructors
	EmailApprovalDecided   EmailKind = "approval_decided"   // approved or declined
	EmailSessionReminder   EmailKind = "session_reminder"   // the day before an in-person session, with its .ics
	EmailCertificateIssued EmailKind = "certificate_issued" // with the verification link
	EmailCertificateExpiry EmailKind = "certificate_expiry" // expiring in 30 days, with the renewal path
	EmailQuizClosing       EmailKind = "quiz_closing"       // a quiz not yet finished closes within 24 hours
)

// NotificationGroup is a set of optional emails that a user turns off together.
type NotificationGroup string

// The groups a user can turn off, in the order the profile lists them.
const (
	NotifyEnrolment    NotificationGroup = "enrolment"
	NotifyApprovals    NotificationGroup = "approvals"
	NotifySessions     NotificationGroup = "sessions"
	NotifyCertificates NotificationGroup = "certificates"
	NotifyQuizzes      NotificationGroup = "quizzes"
)

// NotificationGroups lists every group.
var NotificationGroups = []NotificationGroup{NotifyEnrolment, NotifyApprovals, NotifySessions, NotifyCertificates, NotifyQuizzes}

// EmailKinds lists every kind, for the outbox's filter.
var EmailKinds = []EmailKind{EmailPasswordReset, EmailPasswordLink, EmailAccountCreated, EmailAddressConfirm,
	EmailAddressChanged, EmailEnrolled, EmailWaiting, EmailPromoted, EmailApprovalRequested, EmailApprovalDecided,
	EmailSessionReminder, EmailCertificateIssued, EmailCertificateExpiry, EmailQuizClosing}

var emailGroups = map[EmailKind]NotificationGroup{
	EmailEnrolled: NotifyEnrolment, EmailWaiting: NotifyEnrolment, EmailPromoted: NotifyEnrolment,
	EmailApprovalDecided: NotifyEnrolment, EmailApprovalRequested: NotifyApprovals,
	EmailSessionReminder: NotifySessions, EmailCertificateIssued: NotifyCertificates,
	EmailCertificateExpiry: NotifyCertificates, EmailQuizClosing: NotifyQuizzes,
}

// Valid says whether k is one of Aula's emails.
func (k EmailKind) Valid() bool { return slices.Contains(EmailKinds, k) }

// Group is the notification group of an optional email, or "" for one that is always sent
// (account recovery, account creation, address changes).
func (k EmailKind) Group() NotificationGroup { return emailGroups[k] }

// Required says whether k is sent whatever the user turned off.
func (k EmailKind) Required() bool { return k.Valid() && k.Group() == "" }

// Valid says whether g is one of the groups.
func (g NotificationGroup) Valid() bool { return slices.Contains(NotificationGroups, g) }

// Wanted says whether a user who turned off the groups off receives an email of kind k.
func Wanted(k EmailKind, off []string) bool {
	g := k.Group()
	return g == "" || !slices.Contains(off, string(g))
}

// Email is a message in the outbox: who it is for, what about, in which language, and the
// values its text shows. Data's "Link" is a path inside Aula, made absolute when rendered.
type Email struct {
	Kind     EmailKind
	UserID   int64 // the recipient's account; 0 for none
	To       string
	Language string
	Data     map[string]string
}

// EmailStatus is where an email of the outbox is.
type EmailStatus string

// An email is queued until a worker takes it; sent once the SMTP server accepted it; kept
// when no SMTP server is configured (shown on the outbox page instead); failed for good
// after its last retry or a permanent refusal.
const (
	EmailQueued EmailStatus = "queued"
	EmailSent   EmailStatus = "sent"
	EmailKept   EmailStatus = "kept"
	EmailFailed EmailStatus = "failed"
)

// EmailStatuses lists every status, for the outbox's filter.
var EmailStatuses = []EmailStatus{EmailQueued, EmailSent, EmailKept, EmailFailed}

// Valid says whether s is one of the statuses.
func (s EmailStatus) Valid() bool { return slices.Contains(EmailStatuses, s) }
