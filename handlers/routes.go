package handlers

import (
	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// routes lists every route of Aula in one place.
func (a *App) routes() {
	r := a.engine
	r.HandleMethodNotAllowed = true
	input := inputRules{
		// Routes that take files; every other body is bounded by defaultMaxBody.
		maxBody: map[string]int64{
			"POST /teach/courses/:course/images":                   courses.MaxImageBytes + 1<<20,
			"POST /teach/import":                                   maxImportBytes,
			"POST /teach/courses/:course/questions/import":         maxGIFTImportBody,
			"POST /teach/courses/:course/questions/import/confirm": maxGIFTImportBody,
			"POST /teach/courses/:course/cohorts/:cohort/bulk":     courses.MaxEnrolmentBytes + 1<<20,
			// A lesson of MaxLessonLength characters, each up to 4 bytes of UTF-8 and 3 of
			// percent-encoding per byte, with its title and buttons.
			"POST /teach/courses/:course/lessons/:lesson": courses.MaxLessonLength*12 + 1<<20,
		},
		fieldForms: map[string]bool{
			"POST /register": true, "POST /login": true, "POST /profile": true, "POST /profile/password": true, "POST /profile/email": true,
			"POST /password/set": true, "POST /password/forgot": true, "POST /email/confirm": true,
			// The authoring forms: their courses.ParseX refuses the characters field by field.
			"POST /teach/courses": true, "POST /teach/courses/:course": true, "POST /teach/courses/:course/modules": true,
			"POST /teach/courses/:course/lessons/:lesson": true, "POST /teach/courses/:course/translations/:lang": true,
			"POST /teach/courses/:course/cohorts": true, "POST /teach/courses/:course/cohorts/:cohort": true,
			"POST /teach/courses/:course/cohorts/:cohort/sessions": true,
			"POST /teach/courses/:course/questions":                true, "POST /teach/courses/:course/questions/:question": true,
			"POST /teach/courses/:course/quizzes/:quiz": true, "POST /teach/courses/:course/certificate": true,
			// The GIFT import shows a refused character beside the text it was in.
			"POST /teach/courses/:course/questions/import": true, "POST /teach/courses/:course/questions/import/confirm": true,
			// The certificate forms: a reason or an email refused beside its field.
			"POST /admin/certificates": true, "POST /admin/certificates/:certificate/revoke": true,
			"POST /admin/certificates/:certificate/unrevoke": true, "POST /admin/certificates/:certificate/reissue": true,
			// The two-factor set-up's codes: a refused character is shown beside its field (at
			// sign-in, /login/code, such a code is refused whole, as no app shows one).
			"POST /account/two-factor": true, "POST /account/two-factor/recovery-codes": true, "POST /account/two-factor/off": true,
		},
		answerForms: map[string]bool{"POST /courses/:slug/attempts/:attempt": true, "POST /courses/:slug/attempts/:attempt/answers": true},
	}
	r.Use(a.observe, a.admit, a.recoverPanic, a.securityHeaders, a.crossOrigin, a.loadSignIn, a.checkInput(input), a.requireTwoFactor)
	defer func() { input.mustMatch(r.Routes()); lanesMustMatch(r.Routes()) }()
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
	// Two-factor sign-in: the code after the password, and a staff member's own set-up.
	r.GET("/login/code", a.loginCodeForm)
	r.POST("/login/code", a.loginCode)
	twoFactor := r.Group(twoFactorPath, a.requireUser, a.requireTeacher)
	twoFactor.GET("", a.twoFactorPage)
	twoFactor.POST("", a.confirmTwoFactor)
	twoFactor.GET("/qr.png", a.twoFactorQR)
	twoFactor.POST("/recovery-codes", a.renewRecoveryCodes)
	twoFactor.POST("/off", a.turnOffTwoFactor)

	user := r.Group("/", a.requireUser)
	user.GET("/profile", a.profileForm)
	user.POST("/profile", a.updateProfile)
	user.POST("/profile/password", a.changePassword)
	user.POST("/profile/email", a.requestEmailChange)
	user.GET("/profile/notifications", a.notificationsForm)
	user.POST("/profile/notifications", a.saveNotifications)
	user.GET("/learning", a.learning)
	user.GET("/checkin", a.checkInForm)
	user.POST("/checkin", a.checkIn)

	r.GET("/courses", a.catalog)
	r.GET("/courses/:slug", a.coursePage)
	r.GET("/courses/:slug/lessons/:lesson", a.requireUser, a.lessonPage)
	r.POST("/courses/:slug/enrol", a.requireUser, a.enrol)
	r.POST("/courses/:slug/withdraw", a.requireUser, a.withdraw)
	r.POST("/courses/:slug/lessons/:lesson/done", a.requireUser, a.lessonDone)
	// Quizzes: the quiz's page and the start read the course; an attempt is read by its id,
	// for its own trainee only.
	r.GET("/courses/:slug/quizzes/:quiz", a.requireUser, a.quizPage)
	r.POST("/courses/:slug/quizzes/:quiz/attempts", a.requireUser, a.startAttempt)
	r.GET("/courses/:slug/attempts/:attempt", a.requireUser, a.attemptPage)
	r.POST("/courses/:slug/attempts/:attempt", a.requireUser, a.submitPage)
	r.POST("/courses/:slug/attempts/:attempt/answers", a.requireUser, a.saveAnswers)
	r.GET("/courses/:slug/attempts/:attempt/summary", a.requireUser, a.attemptSummary)
	r.POST("/courses/:slug/attempts/:attempt/finish", a.requireUser, a.finishAttempt)
	r.GET("/courses/:slug/attempts/:attempt/review", a.requireUser, a.attemptReview)
	// Certificates: anyone verifies one by its code, and finds the school's keys and its
	// revocation list; a trainee sees and downloads their own, by id.
	r.GET("/impact", a.impactPage)
	r.GET("/verify", a.verifyForm)
	r.GET("/verify/:code", a.verifyCertificate)
	r.GET("/.well-known/jwks.json", a.jwks)
	r.GET("/.well-known/did.json", a.didDocument)
	r.GET(revocationListPath, a.revocationList)
	user.GET("/certificates", a.myCertificates)
	held := user.Group("/certificates/:certificate", a.holderCertificate)
	held.GET("", a.certificatePage)
	held.GET("/certificate.pdf", a.downloadPDF)
	held.GET("/badge.json", a.downloadBadge)
	held.GET("/badge.jwt", a.downloadJWT)
	held.GET("/qr.png", a.certificateQR)
	r.GET("/password/set", a.setPasswordForm)
	r.POST("/password/set", a.setPassword)
	r.GET("/password/forgot", a.forgotPasswordForm)
	r.POST("/password/forgot", a.forgotPassword)
	// A new address is confirmed from the link sent to it, in whatever browser opens it.
	r.GET("/email/confirm", a.emailChangeForm)
	r.POST("/email/confirm", a.confirmEmailChange)
	r.GET("/courses/:slug/images/:name", a.courseImage)

	teach := r.Group("/teach", a.requireUser, a.requireTeacher)
	teach.GET("", a.teachCourses)
	teach.GET("/courses/new", a.newCourseForm)
	teach.POST("/courses", a.createCourse)
	teach.GET("/import", a.importForm)
	teach.POST("/import", a.importCourse)

	// The course editor: editableCourse loads and checks the course once, and each nested
	// id (module, lesson, cohort, in-person session) has its own loader, so a handler never
	// reads an id from the path. A sub-resource added later gets a group here the same way.
	course := teach.Group("/courses/:course", a.editableCourse)
	course.GET("", a.courseOutline)
	course.POST("", a.updateCourse)
	course.GET("/details", a.courseDetails)
	course.POST("/status", a.setCourseStatus)
	course.GET("/preview", a.previewCourse)
	course.GET("/preview/lessons/:lesson", a.courseLesson, a.previewLesson)
	course.GET("/export", a.exportCourse)
	course.GET("/translations", a.translations)
	translation := course.Group("/translations/:lang", a.translationLanguage)
	translation.GET("", a.translationEditor)
	translation.POST("", a.saveTranslation)
	course.POST("/modules", a.addModule)
	module := course.Group("/modules/:module", a.courseModule)
	module.POST("", a.renameModule)
	module.POST("/move", a.moveItem("module", moduleID, a.Store.MoveModule))
	module.POST("/delete", a.deleteItem("module", moduleID, a.deleteModule))
	module.POST("/lessons", a.addLesson)
	lesson := course.Group("/lessons/:lesson", a.courseLesson)
	lesson.GET("", a.lessonEditor)
	lesson.POST("", a.saveLesson)
	lesson.POST("/move", a.moveItem("lesson", lessonID, a.Store.MoveLesson))
	lesson.POST("/delete", a.deleteItem("lesson", lessonID, a.Store.DeleteLesson))
	course.GET("/images", a.images)
	course.POST("/images", a.uploadImage)
	course.POST("/images/:name/delete", a.deleteImage)
	// Questions in GIFT: check, then confirm; the bank's own pages are elsewhere.
	course.GET("/questions/import", a.giftImportForm)
	course.POST("/questions/import", a.giftImportCheck)
	course.POST("/questions/import/confirm", a.giftImportConfirm)
	course.GET("/questions/export.gift", a.giftExport)
	course.GET("/instructors", a.instructors)
	course.POST("/instructors", a.addInstructor)
	course.POST("/instructors/:user/delete", a.removeInstructor)
	course.GET("/cohorts", a.cohorts)
	course.POST("/cohorts", a.createCohort)
	cohort := course.Group("/cohorts/:cohort", a.courseCohort)
	cohort.GET("", a.cohortPage)
	cohort.POST("", a.updateCohort)
	cohort.GET("/export", a.exportCohort)
	cohort.POST("/decide", a.decide)
	cohort.POST("/enrol", a.enrolByEmail)
	cohort.POST("/bulk", a.bulkUpload)
	cohort.POST("/bulk/confirm", a.bulkConfirm)
	cohort.POST("/sessions", a.addSession)
	session := cohort.Group("/sessions/:session", a.cohortSession)
	session.GET("", a.sessionRoster)
	session.POST("/attendance", a.takeAttendance)
	session.POST("/checkin", a.openCheckIn)
	session.GET("/qr", a.checkInQR)

	// The question bank, the quizzes placed in modules, their results and the essays to mark.
	course.GET("/questions", a.questionBank)
	course.POST("/questions", a.createQuestion)
	course.GET("/questions/new", a.newQuestion)
	course.POST("/questions/categories", a.createCategory)
	course.POST("/questions/categories/:category/delete", a.courseCategory, a.deleteCategory)
	question := course.Group("/questions/:question", a.courseQuestion)
	question.GET("", a.questionEditor)
	question.POST("", a.saveQuestion)
	question.POST("/duplicate", a.duplicateQuestion)
	question.POST("/move", a.moveQuestion)
	question.POST("/delete", a.deleteQuestion)
	module.POST("/quizzes", a.addQuiz)
	quiz := course.Group("/quizzes/:quiz", a.courseQuiz)
	quiz.GET("", a.quizEditor)
	quiz.POST("", a.saveQuiz)
	quiz.POST("/items", a.addQuizItem)
	quiz.POST("/items/move", a.moveQuizItem)
	quiz.POST("/items/remove", a.removeQuizItem)
	quiz.POST("/delete", a.deleteQuiz)
	quiz.GET("/results", a.quizResults)
	quiz.GET("/results.csv", a.exportQuizResults)
	quiz.POST("/grants", a.grantExtra)
	course.GET("/grading", a.gradingQueue)
	course.GET("/certificate", a.certificateSettings)
	// The course's figures, or a cohort's (?cohort=), for its instructors.
	course.GET("/report", a.courseReport)
	course.GET("/report.csv", a.exportCourseReport)
	course.POST("/certificate", a.saveCertificateSettings)
	attempt := course.Group("/attempts/:attempt", a.courseAttempt)
	attempt.GET("", a.teachAttempt)
	attempt.POST("/slots/:slot", a.attemptEssay, a.markEssay)

	admin := r.Group("/admin", a.requireUser, a.requireRole(courses.RoleAdmin))
	admin.GET("/users", a.listUsers)
	admin.GET("/users/:id", a.showUser)
	// The school's figures: the dashboard and its CSVs read the same filter from the query.
	admin.GET("/reports", a.adminReports)
	admin.GET("/reports.csv", a.exportReport)
	admin.GET("/reports/months.csv", a.exportMonths)
	admin.POST("/users/:id/role", a.changeRole)
	admin.POST("/users/:id/active", a.changeActive)
	admin.POST("/users/:id/password-link", a.passwordLink)
	// The outbox: every email, its text and links, and a retry for one that failed.
	admin.GET("/outbox", a.outbox)
	outboxEmail := admin.Group("/outbox/:email", a.outboxEmail)
	outboxEmail.GET("", a.showOutboxEmail)
	outboxEmail.GET("/html", a.outboxHTML)
	outboxEmail.GET("/attachment", a.outboxAttachment)
	outboxEmail.POST("/retry", a.retryOutboxEmail)
	admin.POST("/users/:id/two-factor/reset", a.resetTwoFactor)
	// The audit trail: read and searched, never edited.
	admin.GET("/audit", a.auditLog)
	admin.GET("/audit.csv", a.exportAudit)
	// The certificate register; each certificate and batch is loaded once by its middleware.
	admin.GET("/certificates", a.certificateRegister)
	admin.GET("/certificates.csv", a.exportCertificates)
	admin.POST("/certificates", a.issueCertificate)
	certificate := admin.Group("/certificates/:certificate", a.adminCertificate)
	certificate.GET("", a.showCertificate)
	certificate.POST("/revoke", a.revokeCertificate)
	certificate.POST("/unrevoke", a.unrevokeCertificate)
	certificate.POST("/reissue", a.reissueCertificate)
	admin.POST("/cohorts/:cohort/certificates", a.adminCohort, a.startCertificateBatch)
	admin.POST("/cohorts/:cohort/renewals", a.adminCohort, a.startRenewalBatch)
	batch := admin.Group("/certificate-batches/:batch", a.certificateBatch)
	batch.GET("", a.certificateBatchPage)
	batch.GET("/progress", a.certificateBatchProgress)
}

// Routes lists every registered route, so that a test can walk them all: a route added
// without its authorization check fails that test, not a review.
func (a *App) Routes() gin.RoutesInfo { return a.engine.Routes() }
