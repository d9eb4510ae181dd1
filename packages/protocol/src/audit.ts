// Wire shapes of the audit routes.
export {};
