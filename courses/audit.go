package courses

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Actor is the person who makes a change, and the address the request came from as Aula
// sees it (behind the trusted proxies). The zero Actor is the command line: a change
// recorded without a person.
type Actor struct {
	UserID int64
	IP     string
}

// AuditAction is what an entry of the audit trail records that a person did.
type AuditAction string

const (
	AuditRoleChanged          AuditAction = "user_role"
	AuditDeactivated          AuditAction = "user_deactivate"
	AuditReactivated          AuditAction = "user_reactivate"
	AuditPasswordLink         AuditAction = "user_password_link"
	AuditEnrolledByHand       AuditAction = "enrolment_by_hand"
	AuditEnrolledByCSV        AuditAction = "enrolment_csv"
	AuditRequestApproved      AuditAction = "enrolment_approve"
	AuditRequestRejected      AuditAction = "enrolment_reject"
	AuditPromoted             AuditAction = "enrolment_promote" // moved in from the waiting list by a larger capacity
	AuditAttendance           AuditAction = "attendance_mark"
	AuditCheckInOpened        AuditAction = "attendance_checkin_open"
	AuditCheckInClosed        AuditAction = "attendance_checkin_close"
	AuditExtraGranted         AuditAction = "quiz_grant"
	AuditEssayMarked          AuditAction = "quiz_essay_mark"
	AuditCertificateIssued    AuditAction = "certificate_issue"
	AuditCertificateRevoked   AuditAction = "certificate_revoke"
	AuditCertificateUnrevoked AuditAction = "certificate_unrevoke"
	AuditCertificateReissued  AuditAction = "certificate_reissue"
	AuditCertificateBatch     AuditAction = "certificate_batch"
	AuditRenewalBatch         AuditAction = "certificate_renewal_batch"
	AuditCourseStatus         AuditAction = "course_status"
	AuditInstructorAdded      AuditAction = "course_instructor_add"
	AuditInstructorRemoved    AuditAction = "course_instructor_remove"
	AuditTwoFactorEnabled     AuditAction = "two_factor_enable"
	AuditTwoFactorDisabled    AuditAction = "two_factor_disable"
	AuditRecoveryCodesRenewed AuditAction = "two_factor_recovery_codes"
	AuditTwoFactorReset       AuditAction = "two_factor_reset" // by an admin, for another user
)

// AuditActions lists every action, in the order the audit page's filter offers them.
var AuditActions = []AuditAction{
	AuditRoleChanged, AuditDeactivated, AuditReactivated, AuditPasswordLink,
	AuditEnrolledByHand, AuditEnrolledByCSV, AuditRequestApproved, AuditRequestRejected, AuditPromoted,
	AuditAttendance, AuditCheckInOpened, AuditCheckInClosed, AuditExtraGranted, AuditEssayMarked,
	AuditCertificateIssued, AuditCertificateRevoked, AuditCertificateUnrevoked, AuditCertificateReissued,
	AuditCertificateBatch, AuditRenewalBatch, AuditCourseStatus, AuditInstructorAdded, AuditInstructorRemoved,
	AuditTwoFactorEnabled, AuditTwoFactorDisabled, AuditRecoveryCodesRenewed, AuditTwoFactorReset,
}

// Valid reports whether a is one of AuditActions.
func (a AuditAction) Valid() bool { return slices.Contains(AuditActions, a) }

// Key is the translation key that names the action.
func (a AuditAction) Key() string { return "audit.action." + string(a) }

// AuditEntry is one line of the audit trail: who did what, to whom or what, when, from where.
// The subject ids are 0 where they do not apply.
type AuditEntry struct {
	ID            int64
	At            time.Time
	Actor         Actor
	Action        AuditAction
	UserID        int64 // the person whose record changed
	CourseID      int64
	CohortID      int64
	CertificateID int64
	Detail        map[string]string // a few facts: the old and new role, the reason …

	// Filled in when the trail is read, from the accounts and courses as they are now.
	ActorName, ActorEmail string
	UserName, UserEmail   string
	CourseSlug            string
}

// AuditDetailKeys are the detail's keys, in the order a page shows them; the page names each
// with "audit.detail.<key>".
var AuditDetailKeys = []string{"from", "to", "status", "session", "quiz", "attempt", "slot", "mark",
	"attempts", "minutes", "total", "code", "new_code", "new_account", "reason"}

// AuditFilter is a search of the audit trail. Zero fields do not narrow it.
type AuditFilter struct {
	Actor    string // part of the acting person's name or email
	Subject  string // part of the name or email of the person whose record changed
	UserID   int64  // exactly this person's record (the link from a user's page)
	Action   AuditAction
	CourseID int64
	From, To time.Time // From included, To excluded (the day after the last one asked for)
	Page     int
}

// Error keys of the audit search.
const (
	KeyAuditDate   = "error.audit.date"
	KeyAuditRange  = "error.audit.range"
	KeyAuditAction = "error.audit.action"
	KeyAuditID     = "error.audit.id"
	KeySearchLong  = "error.search.too_long"
)

// MaxAuditPage bounds the page number a search may ask for.
const MaxAuditPage = 10000

// ParseAuditFilter reads a search of the audit trail from an address's query: texts no longer
// than MaxSearchLength, a known action, ids that are numbers, days as YYYY-MM-DD (in UTC, the
// zone the page shows times in), the first no later than the last. Each problem is its
// field's translation key; a page number out of range is the first page.
func ParseAuditFilter(q url.Values) (AuditFilter, FieldErrors) {
	f := AuditFilter{Actor: strings.TrimSpace(q.Get("actor")), Subject: strings.TrimSpace(q.Get("subject")),
		Action: AuditAction(strings.TrimSpace(q.Get("action"))), Page: 1}
	errs := FieldErrors{}
	for field, text := range map[string]string{"actor": f.Actor, "subject": f.Subject} {
		if utf8.RuneCountInString(text) > MaxSearchLength {
			errs[field] = KeySearchLong
		}
	}
	if f.Action != "" && !f.Action.Valid() {
		errs["action"] = KeyAuditAction
	}
	for field, id := range map[string]*int64{"course": &f.CourseID, "user": &f.UserID} {
		typed := strings.TrimSpace(q.Get(field))
		if typed == "" {
			continue
		}
		n, err := strconv.ParseInt(typed, 10, 64)
		if err != nil || n <= 0 {
			errs[field] = KeyAuditID
			continue
		}
		*id = n
	}
	for field, day := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		typed := strings.TrimSpace(q.Get(field))
		if typed == "" {
			continue
		}
		d, err := time.Parse(time.DateOnly, typed)
		if err != nil {
			errs[field] = KeyAuditDate
			continue
		}
		*day = d
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // the last day asked for is included
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) && errs["from"] == "" && errs["to"] == "" {
		errs["to"] = KeyAuditRange
	}
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p >= 1 && p <= MaxAuditPage {
		f.Page = p
	}
	return f, errs
}

// Query writes the filter back as an address's query (page 0 or 1 leaves the page out), for
// the pager and the CSV link.
func (f AuditFilter) Query(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"actor": f.Actor, "subject": f.Subject, "action": string(f.Action)} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if f.UserID > 0 {
		v.Set("user", strconv.FormatInt(f.UserID, 10))
	}
	if f.CourseID > 0 {
		v.Set("course", strconv.FormatInt(f.CourseID, 10))
	}
	if !f.From.IsZero() {
		v.Set("from", f.From.Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		v.Set("to", f.To.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v.Encode()
}
