package courses

import "time"

// Resume is where a trainee left off: the course and lesson to open next, titled in the
// reader's language where the course has it.
type Resume struct {
	CourseSlug  string
	CourseTitle string
	LessonID    int64
	LessonTitle string
}

// LearningItem is one course on a trainee's "My learning" page.
type LearningItem struct {
	Course       Course
	Enrolment    Enrolment
	CohortName   string
	CohortIsDflt bool
	Percent      int
	ResumeID     int64 // the lesson to open: the last one read, else the first not done
}

// UpcomingSession is an in-person session a trainee is expected at.
type UpcomingSession struct {
	CourseID int64
	StartsAt time.Time
	Minutes  int
	Place    string
	Cohort   string
}

// Learning is everything on "My learning".
type Learning struct {
	Current   []LearningItem
	Completed []LearningItem
	Waiting   []LearningItem // on a waiting list or awaiting approval
	Upcoming  []UpcomingSession
	Titles    map[int64]Course // courses of upcoming sessions, with their texts
}
