// Wire shapes of the users routes.
export {};
