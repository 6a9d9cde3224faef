import { Type } from 'typebox';

// The portal's forms, as the pages post them (application/x-www-form-urlencoded, every value a string). A form
// that does not match gets the portal's own page in the page's language, never the JSON error body.

const Csrf = Type.String({ minLength: 1, maxLength: 200 });

/** Path parameters of the portal's form routes: the enrollment URL key (checked against the current one first). */
export const PortalKeyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 100 }) });

/** Body of POST /e/:key/go/sign-in. */
export const SignInForm = Type.Object(
  {
    email: Type.String({ maxLength: 320 }),
    secret: Type.String({ maxLength: 1024 }),
    /** The invitation token, when the form came from an invitation link. */
    invite: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

/** Body of POST /e/:key/go/password: the current password, except for the first one set after a PIN. */
export const PasswordForm = Type.Object(
  {
    csrf: Csrf,
    current: Type.Optional(Type.String({ maxLength: 1024 })),
    password: Type.String({ maxLength: 1024 }),
    confirm: Type.String({ maxLength: 1024 }),
  },
  { additionalProperties: false },
);

/** Body of POST /e/:key/go/enroll: the platform to enroll, and the user's own device when re-enrolling it. */
export const EnrollForm = Type.Object(
  {
    csrf: Csrf,
    platform: Type.Union([Type.Literal('ios'), Type.Literal('macos'), Type.Literal('android')]),
    device: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

/** Body of POST /e/:key/go/qr: which QR code, and the platform whose instructions the page showed. */
export const QrForm = Type.Object(
  {
    csrf: Csrf,
    purpose: Type.Union([Type.Literal('portal'), Type.Literal('agent')]),
    platform: Type.Optional(
      Type.Union([Type.Literal('ios'), Type.Literal('macos'), Type.Literal('android'), Type.Literal('other')]),
    ),
  },
  { additionalProperties: false },
);

/** Body of POST /e/:key/go/sign-out. */
export const SignOutForm = Type.Object({ csrf: Csrf }, { additionalProperties: false });
