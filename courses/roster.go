package courses

import (
	"strconv"
	"strings"
)

// RosterEntry is one trainee on an in-person session's roster.
type RosterEntry struct {
	UserID          int64
	FullName, Email string
	Status          AttendanceStatus // "" = not recorded yet
	ByCode          bool             // recorded by the trainee's check-in code, not by the instructor
}

// attendanceField is the prefix of a roster form's fields: attendance-<user id>.
const attendanceField = "attendance-"

// ParseAttendance reads a roster form: one field attendance-<user id> per trainee, holding
// present, absent or excused; an empty field is a trainee not marked yet and is left out.
// A field that names no user id or holds another value makes the whole form invalid
// (errors under "attendance"): it was not sent by the page, and nothing of it is saved.
func ParseAttendance(form map[string][]string) (map[int64]AttendanceStatus, FieldErrors) {
	marks := map[int64]AttendanceStatus{}
	errs := FieldErrors{}
	for key, values := range form {
		id, found := strings.CutPrefix(key, attendanceField)
		if !found || len(values) == 0 || values[0] == "" {
			continue
		}
		userID, err := strconv.ParseInt(id, 10, 64)
		status := AttendanceStatus(values[0])
		if err != nil || userID <= 0 || !status.Valid() {
			errs["attendance"] = "error.attendance.message"
			return map[int64]AttendanceStatus{}, errs
		}
		marks[userID] = status
	}
	return marks, errs
}
