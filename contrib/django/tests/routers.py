class NoPreloadRouter:
    """Nothing is migrated on the cluster without the preloaded library, but the operations
    of the app label the refusal test uses."""

    def allow_migrate(self, db, app_label, **hints):
        if db == "nopreload":
            return app_label == "nopreload_check"
        return None
