package handlers

import "github.com/aula-school/aula/courses"

// routes lists every route of Aula in one place.
func (a *App) routes() {
	r := a.engine
	r.HandleMethodNotAllowed = true
	r.Use(a.observe, a.recoverPanic, a.securityHeaders, a.crossOrigin, a.loadSession)
	r.NoRoute(a.notFound)
	r.NoMethod(a.notFound)

	r.GET("/healthz", a.healthz)
	r.GET("/readyz", a.readyz)
	r.GET("/metrics", a.metricsHandler)
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

	r.GET("/courses", a.catalog)
	r.GET("/courses/:slug", a.coursePage)
	r.GET("/courses/:slug/lessons/:lesson", a.lessonPage)
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
	course.POST("/modules/:module/move", a.moveModule)
	course.POST("/modules/:module/delete", a.deleteModule)
	course.POST("/modules/:module/lessons", a.addLesson)
	course.GET("/lessons/:lesson", a.lessonEditor)
	course.POST("/lessons/:lesson", a.saveLesson)
	course.POST("/lessons/:lesson/move", a.moveLesson)
	course.POST("/lessons/:lesson/delete", a.deleteLesson)
	course.POST("/images", a.uploadImage)
	course.POST("/images/:name/delete", a.deleteImage)
	course.POST("/instructors", a.addInstructor)
	course.POST("/instructors/:user/delete", a.removeInstructor)

	admin := r.Group("/admin", a.requireUser, a.requireRole(courses.RoleAdmin))
	admin.GET("/users", a.listUsers)
	admin.GET("/users/:id", a.showUser)
	admin.POST("/users/:id/role", a.changeRole)
	admin.POST("/users/:id/active", a.changeActive)
}
