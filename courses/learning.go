package courses

// Resume is where a trainee left off: the course and lesson to open next, titled in the
// reader's language where the course has it.
type Resume struct {
	CourseSlug  string
	CourseTitle string
	LessonID    int64
	LessonTitle string
}
