package handlers

import "github.com/aula-school/aula/courses"

// routes lists every route of Aula in one place.
func (a *App) routes() {
	r := a.engine
	r.HandleMethodNotAllowed = true
	input := inputRules{
		// Routes that take files; every other body is bounded by defaultMaxBody.
		maxBody: map[string]int64{
			"POST /teach/courses/:course/images":               courses.MaxImageBytes + 1<<20,
			"POST /teach/import":                               maxImportBytes,
			"POST /teach/courses/:course/cohorts/:cohort/bulk": courses.MaxEnrolmentBytes + 1<<20,
		},
		fieldForms: map[string]bool{
			"POST /register": true, "POST /login": true, "POST /profile": true, "POST /profile/password": true,
			"POST /password/set": true,
		},
	}
	r.Use(a.observe, a.recoverPanic, a.securityHeaders, a.crossOrigin, a.loadSession, a.checkInput(input))
	defer func() { input.mustMatch(r.Routes()) }()
	r.NoRoute(a.notFound)
	r.NoMethod(a.notFound)

	r.GET("/healthz", a.healthz)
	r.GET("/readyz", a.readyz)
	r.GET("/static/*path", a.staticFile)

	r.GET("/", a.home)
	r.POST("/language", a.setLanguage)

	r.GET("/register", a.registerForm)
	r.POST("/register", a.register)
	r.GET("/login", a.loginForm)
	r.POST("/login", a.login)
	r.POST("/logout", a.logout)

	user := r.Group("/", a.requireUser)
	user.GET("/profile", a.profileForm)
	user.POST("/profile", a.updateProfile)
	user.POST("/profile/password", a.changePassword)
	user.GET("/learning", a.learning)
	user.GET("/checkin", a.checkInForm)
	user.POST("/checkin", a.checkIn)

	r.GET("/courses", a.catalog)
	r.GET("/courses/:slug", a.coursePage)
	r.GET("/courses/:slug/lessons/:lesson", a.requireUser, a.lessonPage)
	r.POST("/courses/:slug/enrol", a.requireUser, a.enrol)
	r.POST("/courses/:slug/withdraw", a.requireUser, a.withdraw)
	r.POST("/courses/:slug/lessons/:lesson/done", a.requireUser, a.lessonDone)
	r.GET("/password/set", a.setPasswordForm)
	r.POST("/password/set", a.setPassword)
	r.GET("/courses/:slug/images/:name", a.courseImage)

	teach := r.Group("/teach", a.requireUser, a.requireTeacher)
	teach.GET("", a.teachCourses)
	teach.GET("/courses/new", a.newCourseForm)
	teach.POST("/courses", a.createCourse)
	teach.GET("/import", a.importForm)
	teach.POST("/import", a.importCourse)

	course := teach.Group("/courses/:course", a.editableCourse)
	course.GET("", a.courseEditor)
	course.POST("", a.updateCourse)
	course.POST("/status", a.setCourseStatus)
	course.GET("/preview", a.previewCourse)
	course.GET("/preview/lessons/:lesson", a.previewLesson)
	course.GET("/export", a.exportCourse)
	course.GET("/translations/:lang", a.translationEditor)
	course.POST("/translations/:lang", a.saveTranslation)
	course.POST("/modules", a.addModule)
	course.POST("/modules/:module", a.renameModule)
	course.POST("/modules/:module/move", a.moveItem("module", a.Store.MoveModule))
	course.POST("/modules/:module/delete", a.deleteItem("module", a.Store.DeleteModule))
	course.POST("/modules/:module/lessons", a.addLesson)
	course.GET("/lessons/:lesson", a.lessonEditor)
	course.POST("/lessons/:lesson", a.saveLesson)
	course.POST("/lessons/:lesson/move", a.moveItem("lesson", a.Store.MoveLesson))
	course.POST("/lessons/:lesson/delete", a.deleteItem("lesson", a.Store.DeleteLesson))
	course.POST("/images", a.uploadImage)
	course.POST("/images/:name/delete", a.deleteImage)
	course.POST("/instructors", a.addInstructor)
	course.POST("/instructors/:user/delete", a.removeInstructor)
	course.GET("/cohorts", a.cohorts)
	course.POST("/cohorts", a.createCohort)
	course.GET("/cohorts/:cohort", a.cohortPage)
	course.POST("/cohorts/:cohort", a.updateCohort)
	course.GET("/cohorts/:cohort/export", a.exportCohort)
	course.POST("/cohorts/:cohort/decide", a.decide)
	course.POST("/cohorts/:cohort/enrol", a.enrolByEmail)
	course.POST("/cohorts/:cohort/bulk", a.bulkUpload)
	course.POST("/cohorts/:cohort/bulk/confirm", a.bulkConfirm)
	course.POST("/cohorts/:cohort/sessions", a.addSession)
	course.GET("/cohorts/:cohort/sessions/:session", a.sessionRoster)
	course.POST("/cohorts/:cohort/sessions/:session/attendance", a.takeAttendance)
	course.POST("/cohorts/:cohort/sessions/:session/checkin", a.openCheckIn)
	course.GET("/cohorts/:cohort/sessions/:session/qr", a.checkInQR)

	admin := r.Group("/admin", a.requireUser, a.requireRole(courses.RoleAdmin))
	admin.GET("/users", a.listUsers)
	admin.GET("/users/:id", a.showUser)
	admin.POST("/users/:id/role", a.changeRole)
	admin.POST("/users/:id/active", a.changeActive)
	admin.POST("/users/:id/password-link", a.passwordLink)
}
