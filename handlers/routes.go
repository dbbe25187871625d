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

	admin := r.Group("/admin", a.requireUser, a.requireRole(courses.RoleAdmin))
	admin.GET("/users", a.listUsers)
	admin.GET("/users/:id", a.showUser)
	admin.POST("/users/:id/role", a.changeRole)
	admin.POST("/users/:id/active", a.changeActive)
}
