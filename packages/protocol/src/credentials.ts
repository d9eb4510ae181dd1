// Wire shapes of the credentials routes.
export {};
